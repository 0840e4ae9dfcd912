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

}  // namespace pgroute::test_support
