#include "tests/support/patroni_cluster.h"

#include <signal.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>

#include "tests/support/libpq_conn.h"
#include "tests/support/ports.h"
#include "tests/support/proc_scan.h"
#include "tests/support/process.h"
#include "tests/support/text_file.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

const std::string cluster_script = PGROUTE_SOURCE_DIR "/tests/cluster/patroni-cluster.sh";

// etcd client and peer, three REST APIs, three PostgreSQL servers (see the script).
constexpr std::uint16_t ports_per_cluster = 8;
constexpr std::uint16_t lowest_base_port = 20000;
constexpr std::uint16_t highest_base_port = 32767 - ports_per_cluster;
constexpr int max_base_port_attempts = 200;
// On two loaded cores `up` has been seen to take 40 s; the script's own default is 90 s.
constexpr std::string_view up_timeout_seconds = "150";
constexpr auto up_command_timeout = 200s;
constexpr auto down_command_timeout = 120s;

std::size_t node_index(std::string_view node) {
    const auto found = std::find(patroni_node_names.begin(), patroni_node_names.end(), node);
    if (found == patroni_node_names.end()) {
        throw std::invalid_argument("no Patroni node named '" + std::string(node) + "'");
    }
    return static_cast<std::size_t>(found - patroni_node_names.begin());
}

// Nothing listens on any of the block's ports; below the ephemeral range, nothing connects from
// them either.
std::uint16_t pick_base_port() {
    std::mt19937 random(std::random_device{}());
    std::uniform_int_distribution<int> pick(lowest_base_port, highest_base_port);
    for (int attempt = 0; attempt < max_base_port_attempts; ++attempt) {
        const auto base = static_cast<std::uint16_t>(pick(random));
        bool all_free = true;
        for (std::uint16_t offset = 0; offset < ports_per_cluster && all_free; ++offset) {
            all_free = !accepts_tcp(static_cast<std::uint16_t>(base + offset));
        }
        if (all_free) return base;
    }
    throw std::runtime_error("found no block of " + std::to_string(ports_per_cluster) +
                             " free loopback ports");
}

command_result run_script(const std::vector<std::string>& arguments,
                          std::chrono::milliseconds timeout,
                          const std::vector<std::string>& env = {}) {
    command_line command{.argv = {cluster_script},
                         .env = {"PGROUTE_CLUSTER_UP_TIMEOUT=" + std::string(up_timeout_seconds)}};
    command.argv.insert(command.argv.end(), arguments.begin(), arguments.end());
    command.env.insert(command.env.end(), env.begin(), env.end());
    return run_command(command, timeout);
}

// The script's opt-in REST API settings (see its header), all set so that the test's own
// environment cannot switch them on for a plain cluster.
std::vector<std::string> api_security_env(const patroni_cluster_options& options,
                                          const std::optional<test_certs>& certs) {
    if (!certs) {
        return {"PGROUTE_PATRONI_API_TLS_DIR=", "PGROUTE_PATRONI_API_VERIFY_CLIENT=",
                "PGROUTE_PATRONI_API_USER=", "PGROUTE_PATRONI_API_PASSWORD="};
    }
    return {"PGROUTE_PATRONI_API_TLS_DIR=" + certs->ca_cert.parent_path().string(),
            "PGROUTE_PATRONI_API_VERIFY_CLIENT=" + options.api_verify_client,
            "PGROUTE_PATRONI_API_USER=" + std::string(patroni_api_username),
            "PGROUTE_PATRONI_API_PASSWORD=" + std::string(patroni_api_password)};
}

// In TLS mode the certificates, made in their own directory beside the cluster's.
std::optional<test_certs> certs_for(const patroni_cluster_options& options,
                                    const std::filesystem::path& temp_dir) {
    if (!options.api_tls) {
        if (!options.api_verify_client.empty()) {
            throw std::invalid_argument("PatroniClusterOptions: api_verify_client needs api_tls");
        }
        return std::nullopt;
    }
    const std::filesystem::path dir = temp_dir / "api-certs";
    std::filesystem::create_directory(dir);
    return make_test_certs(dir);
}

// The body of a GET (or other method) on a Patroni REST API; nothing if it did not answer within
// `max_time`.
std::optional<std::string> http_request(const std::string& url, std::chrono::seconds max_time,
                                        const std::vector<std::string>& curl_options = {}) {
    command_line command{.argv = {"curl", "-s", "--max-time", std::to_string(max_time.count())}};
    command.argv.insert(command.argv.end(), curl_options.begin(), curl_options.end());
    command.argv.push_back(url);
    const command_result result = run_command(command, max_time + 5s);
    if (result.exit_code != 0) return std::nullopt;
    return result.output;
}

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

std::string seed_yaml(std::string_view name, std::uint16_t pg_port, std::string_view api_url) {
    return "  - name: " + std::string(name) +
           "\n    host: 127.0.0.1\n    port: " + std::to_string(pg_port) +
           "\n    api_url: " + std::string(api_url) + "\n";
}

}  // namespace

patroni_cluster::patroni_cluster() : patroni_cluster(patroni_cluster_options{}) {}

patroni_cluster::patroni_cluster(patroni_cluster_options options)
    : dir_("pgroute-patroni"),
      cluster_dir_(dir_.path() / "cluster"),
      base_port_(pick_base_port()),
      options_(std::move(options)),
      certs_(certs_for(options_, dir_.path())) {
    const command_result up = run_script({"up", cluster_dir_.string(), std::to_string(base_port_)},
                                         up_command_timeout, api_security_env(options_, certs_));
    if (up.exit_code != 0) {
        // The script leaves a failed start running for inspection; nothing may outlive us.
        const command_result down =
            run_script({"down", cluster_dir_.string()}, down_command_timeout);
        down_ = true;
        throw std::runtime_error("patroni-cluster.sh up failed with exit code " +
                                 std::to_string(up.exit_code) + ":\n" + up.output +
                                 "\ndown said:\n" + down.output);
    }
}

patroni_cluster::~patroni_cluster() {
    try {
        if (!down_) down();
    } catch (const std::exception& error) {
        std::cerr << "PatroniCluster: " << error.what() << '\n';
    }
}

void patroni_cluster::down() {
    down_ = true;
    const command_result down = run_script({"down", cluster_dir_.string()}, down_command_timeout);
    if (down.exit_code != 0) {
        throw std::runtime_error("patroni-cluster.sh down failed with exit code " +
                                 std::to_string(down.exit_code) + ":\n" + down.output);
    }
    // A second opinion, by another method than the script's own.
    if (const std::vector<pid_t> left = processes_using(cluster_dir_); !left.empty()) {
        throw std::runtime_error(std::to_string(left.size()) + " process(es) still use " +
                                 cluster_dir_.string() + " after down, e.g. pid " +
                                 std::to_string(left.front()));
    }
}

std::uint16_t patroni_cluster::pg_port(std::string_view node) const {
    return static_cast<std::uint16_t>(base_port_ + 5 + node_index(node));
}

std::uint16_t patroni_cluster::api_port(std::string_view node) const {
    return static_cast<std::uint16_t>(base_port_ + 2 + node_index(node));
}

std::string patroni_cluster::api_url(std::string_view node) const {
    return (api_tls() ? "https://127.0.0.1:" : "http://127.0.0.1:") +
           std::to_string(api_port(node));
}

const test_certs& patroni_cluster::certs() const {
    if (!certs_) throw std::logic_error("the Patroni cluster does not run in TLS mode");
    return *certs_;
}

std::string patroni_cluster::api_username() const {
    return api_tls() ? std::string(patroni_api_username) : "";
}

std::string patroni_cluster::api_password() const {
    return api_tls() ? std::string(patroni_api_password) : "";
}

std::string patroni_cluster::patroni_log(std::string_view node) const {
    return read_text(cluster_dir_ / (std::string(node) + ".log"));
}

std::optional<std::string> patroni_cluster::api_request(
    std::string_view node, std::string_view path, std::chrono::seconds max_time,
    const std::vector<std::string>& curl_options) const {
    std::vector<std::string> options;
    if (certs_) {
        options = {"--cacert", certs_->ca_cert.string(), "-u",
                   api_username() + ":" + api_password()};
        if (!options_.api_verify_client.empty()) {
            options.insert(options.end(), {"--cert", certs_->client_cert.string(), "--key",
                                           certs_->client_key.string()});
        }
    }
    options.insert(options.end(), curl_options.begin(), curl_options.end());
    return http_request(api_url(node) + std::string(path), max_time, options);
}

std::filesystem::path patroni_cluster::patronictl_config() const {
    return cluster_dir_ / "pg1.yml";
}

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

std::string proxied_conninfo(std::uint16_t proxy_port) {
    return loopback_conninfo(proxy_port, patroni_trust_user, patroni_database);
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

std::string patroni_config(const patroni_cluster& cluster, const patroni_proxy_settings& settings) {
    std::string yaml = "threads: " + std::to_string(settings.threads) +
                       "\n"
                       "log_level: debug\n"
                       "endpoints:\n"
                       "  write:\n"
                       "    listen: 127.0.0.1:" +
                       std::to_string(settings.write_port) +
                       "\n"
                       "    route: leader\n"
                       "  read:\n"
                       "    listen: 127.0.0.1:" +
                       std::to_string(settings.read_port) +
                       "\n"
                       "    route: replica\n"
                       "    balance: roundrobin\n"
                       "nodes:\n";
    for (const std::string_view node : patroni_node_names) {
        yaml += seed_yaml(node, cluster.pg_port(node), cluster.api_url(node));
    }
    for (const patroni_seed& seed : settings.extra_seeds) {
        yaml += seed_yaml(seed.name, seed.pg_port, seed.api_url);
    }
    yaml +=
        "patroni:\n"
        "  interval: 500ms\n"
        "  timeout: 500ms\n"
        "  max_lag: " +
        settings.max_lag +
        "\n"
        "  rise: 2\n"
        "  fall: 3\n";
    if (cluster.api_tls()) {
        yaml += "  api_ca_file: " + settings.api_ca_file.value_or(cluster.api_ca_file()).string() +
                "\n  api_username: " + cluster.api_username() +
                "\n  api_password: " + cluster.api_password() + "\n";
        if (settings.api_cert_file)
            yaml += "  api_cert_file: " + settings.api_cert_file->string() + "\n";
        if (settings.api_key_file)
            yaml += "  api_key_file: " + settings.api_key_file->string() + "\n";
    }
    return yaml;
}

}  // namespace pgroute::test_support
