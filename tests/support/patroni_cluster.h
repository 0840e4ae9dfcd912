// A real three-node Patroni cluster (etcd + PostgreSQL 15) on 127.0.0.1, run by
// tests/cluster/patroni-cluster.sh, for tests of pgroute in Patroni mode; `down` always runs.
// Optionally its REST APIs serve https and ask for basic auth (patroni_cluster_options::api_tls).
#pragma once

#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/libpq_conn.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_certs.h"

namespace pgroute::test_support {

inline constexpr std::array<std::string_view, 3> patroni_node_names{"pg1", "pg2", "pg3"};
// Roles and database the script creates; every 127.0.0.1 login of trust_user is trusted.
inline constexpr std::string_view patroni_trust_user = "trust_user";
inline constexpr std::string_view patroni_database = "pgroute_test";
// Patroni's restapi.authentication in TLS mode.
inline constexpr std::string_view patroni_api_username = "pgroute_api";
inline constexpr std::string_view patroni_api_password = "api-secret";

struct patroni_cluster_options {
    // The REST APIs serve https with make_test_certs' node certificate (made in the cluster's
    // temp dir; see certs()) and ask for basic auth (patroni_api_username/password) on their
    // unsafe methods, as Patroni 3.0 does; Patroni, patronictl and this class verify them
    // against the test CA. Off: plain http without authentication, as before.
    bool api_tls = false;
    // restapi.verify_client with api_tls: "none", "optional" or "required"; empty leaves it
    // unset. Patroni, patronictl and this class then present the test client certificate.
    std::string api_verify_client{};
};

class patroni_cluster {
  public:
    // Returns once a leader and two streaming replicas run; throws with the script's output
    // (after running `down`) otherwise.
    patroni_cluster();
    explicit patroni_cluster(patroni_cluster_options options);
    ~patroni_cluster();  // runs down() unless it ran; reports a failure on stderr
    patroni_cluster(const patroni_cluster&) = delete;
    patroni_cluster& operator=(const patroni_cluster&) = delete;

    // Stops every process of the cluster; throws (with the script's output) if one survives.
    void down();

    [[nodiscard]] std::uint16_t pg_port(std::string_view node) const;
    [[nodiscard]] std::uint16_t api_port(std::string_view node) const;
    [[nodiscard]] std::string api_url(std::string_view node) const;  // without a path
    // TLS mode: api_url() is https, and the certificates and credentials are these.
    [[nodiscard]] bool api_tls() const { return certs_.has_value(); }
    [[nodiscard]] const test_certs& certs() const;  // throws unless in TLS mode
    [[nodiscard]] std::filesystem::path api_ca_file() const { return certs().ca_cert; }
    [[nodiscard]] std::string api_username() const;  // empty unless in TLS mode
    [[nodiscard]] std::string api_password() const;
    // Everything a node's Patroni has logged so far.
    [[nodiscard]] std::string patroni_log(std::string_view node) const;
    [[nodiscard]] std::filesystem::path patronictl_config() const;
    // The cluster node whose PostgreSQL listens on `port`; empty for any other port.
    [[nodiscard]] std::string node_on_port(std::uint16_t port) const;
    // Straight to a node's PostgreSQL, bypassing pgroute; superuser by default.
    [[nodiscard]] std::string conninfo(std::string_view node,
                                       std::string_view user = "postgres") const;

    // The one running leader that GET /cluster names, asked of each node until one answers.
    [[nodiscard]] std::optional<std::string> leader_name() const;
    [[nodiscard]] std::string wait_for_leader(std::chrono::milliseconds timeout) const;
    // The node serving a session (inet_server_port()), however the session got there.
    [[nodiscard]] std::string node_serving(libpq_conn& session) const;
    // Opens a session through the proxy listening on `proxy_port` and names the node serving it;
    // throws pg_error when the proxy refuses it.
    [[nodiscard]] std::string node_behind(std::uint16_t proxy_port) const;
    // Returns once new sessions through `write_port` reach the leader and those through
    // `read_port` reach both replicas: a proxy started in front of the cluster has seen it whole.
    void wait_until_proxy_routes(std::uint16_t write_port, std::uint16_t read_port,
                                 std::chrono::milliseconds timeout) const;

    // The nodes other than `leader`, in name order.
    [[nodiscard]] static std::vector<std::string> others(std::string_view leader);
    // "role" from the node's GET /patroni ("master", "replica", ...); empty if it does not answer
    // within a second.
    [[nodiscard]] std::string patroni_role(std::string_view node) const;
    // A leader that takes writes and two replicas streaming from it, as `up` leaves the cluster.
    void wait_until_healthy(std::chrono::milliseconds timeout) const;

    // `patronictl switchover --force` from the current leader to `candidate`; returns when
    // patronictl does and throws if it fails (in TLS mode also if it could not use the REST API
    // and fell back to the DCS).
    void switchover(std::string_view candidate) const;
    // `patronictl restart --force` of one node's PostgreSQL (a fast shutdown, then a start);
    // returns when patronictl does.
    void restart_postgres(std::string_view node) const;
    // SIGKILL of the leader's Patroni and then of its postmaster; returns the leader's name.
    [[nodiscard]] std::string kill9_leader() const;
    // Freezes (and thaws) a node's Patroni process, and with it its REST API.
    void sigstop_api(std::string_view node) const;
    void sigcont_api(std::string_view node) const;
    // Patroni's maintenance mode (PATCH /config {"pause": ...}): while it is on, Patroni leaves a
    // replica's paused WAL replay alone instead of resuming it on its next loop.
    void set_maintenance_mode(bool on) const;
    // True once `node`'s own GET /patroni reports the cluster as paused (or not).
    [[nodiscard]] bool node_sees_maintenance_mode(std::string_view node, bool on) const;

  private:
    [[nodiscard]] pid_t patroni_pid(std::string_view node) const;
    // The body a REST API answered with (curl -s, plus `curl_options`, with TLS and credentials
    // in TLS mode); nothing if it did not answer within `max_time`.
    [[nodiscard]] std::optional<std::string> api_request(
        std::string_view node, std::string_view path, std::chrono::seconds max_time,
        const std::vector<std::string>& curl_options = {}) const;

    temp_dir dir_;
    std::filesystem::path cluster_dir_;
    std::uint16_t base_port_;
    patroni_cluster_options options_;
    std::optional<test_certs> certs_;  // TLS mode only
    bool down_ = false;
};

// Through a proxy on `proxy_port`, as trust_user into the test database.
[[nodiscard]] std::string proxied_conninfo(std::uint16_t proxy_port);

// A node's Patroni frozen for as long as this lives, and thawed when it ends however a test ends.
class frozen_patroni {
  public:
    frozen_patroni(const patroni_cluster& cluster, std::string node);
    ~frozen_patroni();
    frozen_patroni(const frozen_patroni&) = delete;
    frozen_patroni& operator=(const frozen_patroni&) = delete;

  private:
    const patroni_cluster& cluster_;
    std::string node_;
};

// Patroni's maintenance mode for as long as this lives.
class maintenance_mode {
  public:
    explicit maintenance_mode(const patroni_cluster& cluster);
    ~maintenance_mode();
    maintenance_mode(const maintenance_mode&) = delete;
    maintenance_mode& operator=(const maintenance_mode&) = delete;

  private:
    const patroni_cluster& cluster_;
};

// A further node for pgroute's `nodes:` list, e.g. a fake Patroni API run by the test.
struct patroni_seed {
    std::string name;
    std::uint16_t pg_port = 0;
    std::string api_url;
};

struct patroni_proxy_settings {
    std::uint16_t write_port = 0;
    std::uint16_t read_port = 0;
    std::string max_lag = "1MB";
    unsigned threads = 2;
    std::vector<patroni_seed> extra_seeds{};
    // For a cluster in TLS mode: the CA pgroute verifies the REST APIs against (default: the
    // cluster's test CA), and a client certificate and key to present (default: none).
    std::optional<std::filesystem::path> api_ca_file{};
    std::optional<std::filesystem::path> api_cert_file{};
    std::optional<std::filesystem::path> api_key_file{};
    // limits.hold_timeout, when not pgroute's default (30 s).
    std::optional<std::string> hold_timeout{};
};

// pgroute.yaml in Patroni mode for `cluster`: its three nodes as seeds with their api_url, endpoint
// "write" (route leader) and "read" (route replica, roundrobin) on 127.0.0.1, polls every 500 ms
// with a 500 ms timeout, rise 2, fall 3; log_level debug. For a cluster in TLS mode the api_urls
// are https, and patroni.api_ca_file, api_username and api_password are set (api_cert_file and
// api_key_file when the settings name them).
[[nodiscard]] std::string patroni_config(const patroni_cluster& cluster,
                                         const patroni_proxy_settings& settings);

}  // namespace pgroute::test_support
