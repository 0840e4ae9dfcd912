// patroni_cluster's view of its nodes and what tests do to them: which node serves a session,
// who leads, switchover, kill -9, frozen REST APIs and maintenance mode.
#include <signal.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "tests/support/libpq_conn.h"
#include "tests/support/patroni_cluster.h"
#include "tests/support/proc_scan.h"
#include "tests/support/process.h"
#include "tests/support/text_file.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

std::optional<nlohmann::json> json_from(const std::optional<std::string>& body) {
    if (!body) return std::nullopt;
    nlohmann::json document = nlohmann::json::parse(*body, nullptr, /*allow_exceptions=*/false);
    if (document.is_discarded() || !document.is_object()) return std::nullopt;
    return document;
}

std::string text_field(const nlohmann::json& object, const char* key) {
    const auto found = object.find(key);
    return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

pid_t pid_in_file(const std::filesystem::path& path) {
    const std::string text = read_text(path);
    const pid_t pid = static_cast<pid_t>(std::stol(text.substr(0, text.find('\n'))));
    if (pid <= 1) throw std::runtime_error("no usable pid in " + path.string());
    return pid;
}

void send_signal(pid_t pid, int signal_number, std::string_view what) {
    if (::kill(pid, signal_number) != 0) {
        throw std::runtime_error("cannot signal " + std::string(what) + " (pid " +
                                 std::to_string(pid) + ")");
    }
}

}  // namespace

std::string patroni_cluster::node_on_port(std::uint16_t port) const {
    for (const std::string_view node : patroni_node_names) {
        if (pg_port(node) == port) return std::string(node);
    }
    return {};
}

std::string patroni_cluster::conninfo(std::string_view node, std::string_view user) const {
    return loopback_conninfo(pg_port(node), user, patroni_database);
}

std::string patroni_cluster::node_serving(libpq_conn& session) const {
    const std::string port = session.exec_scalar("SELECT inet_server_port()").value_or("");
    return node_on_port(static_cast<std::uint16_t>(std::stoi(port)));
}

std::string patroni_cluster::node_behind(std::uint16_t proxy_port) const {
    libpq_conn session(proxied_conninfo(proxy_port));
    return node_serving(session);
}

void patroni_cluster::wait_until_proxy_routes(std::uint16_t write_port, std::uint16_t read_port,
                                              std::chrono::milliseconds timeout) const {
    // Round robin over two replicas reaches both within a few sessions per worker thread.
    constexpr int read_sessions = 8;
    const auto routes = [&] {
        try {
            const std::optional<std::string> leader = leader_name();
            if (!leader || node_behind(write_port) != *leader) return false;
            std::vector<std::string> reached;
            for (int i = 0; i < read_sessions; ++i) {
                const std::string node = node_behind(read_port);
                if (node == *leader || node.empty()) return false;
                if (std::find(reached.begin(), reached.end(), node) == reached.end()) {
                    reached.push_back(node);
                }
            }
            return reached.size() == 2;
        } catch (const pg_error&) {
            return false;  // not yet: pgroute has no write target or no readable replica
        }
    };
    wait_until(routes, timeout, "pgroute routes writes to the leader and reads to both replicas",
               200ms);
}

std::optional<std::string> patroni_cluster::leader_name() const {
    for (const std::string_view node : patroni_node_names) {
        const auto cluster = json_from(api_request(node, "/cluster", 1s));
        if (!cluster || !cluster->contains("members") || !(*cluster)["members"].is_array()) {
            continue;
        }
        std::vector<std::string> leaders;
        for (const auto& member : (*cluster)["members"]) {
            if (member.is_object() && text_field(member, "role") == "leader" &&
                text_field(member, "state") == "running") {
                leaders.push_back(text_field(member, "name"));
            }
        }
        return leaders.size() == 1 ? std::optional(leaders.front()) : std::nullopt;
    }
    return std::nullopt;
}

std::string patroni_cluster::wait_for_leader(std::chrono::milliseconds timeout) const {
    std::optional<std::string> leader;
    wait_until([&] { return (leader = leader_name()).has_value(); }, timeout,
               "Patroni names a running leader", 100ms);
    return *leader;
}

std::vector<std::string> patroni_cluster::others(std::string_view leader) {
    std::vector<std::string> names;
    for (const std::string_view node : patroni_node_names) {
        if (node != leader) names.emplace_back(node);
    }
    return names;
}

std::string patroni_cluster::patroni_role(std::string_view node) const {
    const auto status = json_from(api_request(node, "/patroni", 1s));
    return status ? text_field(*status, "role") : "";
}

void patroni_cluster::wait_until_healthy(std::chrono::milliseconds timeout) const {
    const auto healthy = [&] {
        const auto leader = leader_name();
        if (!leader) return false;
        try {
            libpq_conn conn(conninfo(*leader));
            return conn.exec_scalar("SELECT pg_is_in_recovery()") == "f" &&
                   conn.exec_scalar(
                       "SELECT count(*) FROM pg_stat_replication "
                       "WHERE state = 'streaming'") == "2";
        } catch (const std::exception&) {
            return false;
        }
    };
    wait_until(healthy, timeout, "a writable leader with two streaming replicas", 200ms);
}

void patroni_cluster::switchover(std::string_view candidate) const {
    const std::string leader = wait_for_leader(30s);
    const command_line command{.argv = {"patronictl", "-c", patronictl_config().string(),
                                        "switchover", "--force", "--leader", leader, "--candidate",
                                        std::string(candidate)}};
    if (!api_tls()) {
        run_checked(command, 120s);
        return;
    }
    // patronictl falls back to writing the switchover into the DCS when the leader's REST API
    // fails it: in TLS mode that would hide exactly what is under test.
    const command_result result = run_command(command, 120s);
    if (result.exit_code != 0 || result.output.find("falling back to DCS") != std::string::npos) {
        throw std::runtime_error("patronictl switchover to " + std::string(candidate) +
                                 " failed over https (exit code " +
                                 std::to_string(result.exit_code) + "):\n" + result.output);
    }
}

void patroni_cluster::restart_postgres(std::string_view node) const {
    run_checked({.argv = {"patronictl", "-c", patronictl_config().string(), "restart", "pgroute",
                          std::string(node), "--force"}},
                120s);
}

std::string patroni_cluster::kill9_leader() const {
    std::string leader = wait_for_leader(30s);
    // Both pids first, so that the two kills land back to back, as in a crash of the host.
    const pid_t patroni = patroni_pid(leader);
    const pid_t postmaster = pid_in_file(cluster_dir_ / leader / "postmaster.pid");
    send_signal(patroni, SIGKILL, "patroni " + leader);
    send_signal(postmaster, SIGKILL, "postgres " + leader);
    return leader;
}

void patroni_cluster::sigstop_api(std::string_view node) const {
    send_signal(patroni_pid(node), SIGSTOP, "patroni " + std::string(node));
}

void patroni_cluster::sigcont_api(std::string_view node) const {
    send_signal(patroni_pid(node), SIGCONT, "patroni " + std::string(node));
}

void patroni_cluster::set_maintenance_mode(bool on) const {
    const std::string body = on ? R"({"pause": true})" : R"({"pause": false})";
    const std::string leader = wait_for_leader(30s);
    if (!api_request(leader, "/config", 10s, {"-f", "-X", "PATCH", "-d", body})) {
        throw std::runtime_error("PATCH /config " + body + " failed on " + leader);
    }
}

bool patroni_cluster::node_sees_maintenance_mode(std::string_view node, bool on) const {
    const auto status = json_from(api_request(node, "/patroni", 1s));
    if (!status) return false;
    const auto pause = status->find("pause");
    const bool paused = pause != status->end() && pause->is_boolean() && pause->get<bool>();
    return paused == on;
}

pid_t patroni_cluster::patroni_pid(std::string_view node) const {
    return pid_in_file(cluster_dir_ / (std::string(node) + ".pid"));
}

frozen_patroni::frozen_patroni(const patroni_cluster& cluster, std::string node)
    : cluster_(cluster), node_(std::move(node)) {
    cluster_.sigstop_api(node_);
}

frozen_patroni::~frozen_patroni() {
    try {
        cluster_.sigcont_api(node_);
    } catch (const std::exception& error) {
        std::cerr << "FrozenPatroni: " << error.what() << '\n';
    }
}

maintenance_mode::maintenance_mode(const patroni_cluster& cluster) : cluster_(cluster) {
    cluster_.set_maintenance_mode(true);
}

maintenance_mode::~maintenance_mode() {
    try {
        cluster_.set_maintenance_mode(false);
    } catch (const std::exception& error) {
        std::cerr << "MaintenanceMode: " << error.what() << '\n';
    }
}

}  // namespace pgroute::test_support
