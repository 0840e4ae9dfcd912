// pgroute.yaml as typed values. Parsing and validation live in config_loader; everything else
// reads these immutable structs.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "health/patroni/monitor_config.h"
#include "health/topology/rules_config.h"
#include "health/topology/snapshot.h"
#include "protocol/message_type.h"
#include "proxy/log/logger.h"

namespace pgroute::proxy {

using std::chrono::milliseconds;

enum class route_kind { leader, replica };
// Per endpoint: whether a client's SSLRequest is answered 'S', and whether it must be sent.
enum class client_tls_mode { disable, allow, require };
// pgroute -> nodes, meaning what libpq's sslmode of the same name means.
enum class server_tls_mode { disable, prefer, require, verify_full };
enum class balance_kind { round_robin, least_connections };

struct listen_address {
    std::string host;
    std::uint16_t port = 0;

    bool operator==(const listen_address&) const = default;
};

struct endpoint_config {
    std::string name;
    listen_address listen;
    route_kind route = route_kind::leader;
    balance_kind balance = balance_kind::round_robin;
    bool fallback_to_leader = false;
    bool cut_on_promote = true;          // read sessions on a replica that became the leader
    bool cut_lagging_when_idle = false;  // read sessions on a replica over the lag bound
    client_tls_mode tls = client_tls_mode::disable;  // allow by default once `tls` is configured
};

struct node_config {
    health::node_address address;
    std::optional<health::node_role> static_role;  // static mode: leader or replica
    std::string api_url;                           // Patroni mode

    bool operator==(const node_config&) const = default;
};

struct patroni_config {
    health::poll_timing timing;  // interval, fast_interval (HAProxy's fastinter), timeout
    health::rules_config rules;  // max_lag, max_lag_time, rise, fall
    // For https api_urls and Patroni's restapi.authentication.
    std::string api_ca_file;  // empty: the system's trusted CAs
    std::string api_cert_file;
    std::string api_key_file;
    std::string api_username;
    std::string api_password;

    bool operator==(const patroni_config&) const = default;
};

struct limits_config {
    std::uint32_t max_message_length = protocol::pq_large_message_limit;
    std::uint32_t max_startup_packet_length = protocol::max_startup_packet_length;
    milliseconds startup_timeout{10'000};
    milliseconds connect_timeout{5'000};
    // Patroni mode: how long a session waits for a node to serve its endpoint: a new one (a
    // leader during a failover; a newer snapshot after its node refused the connection) before
    // 57P03, a moving one (proxy mode) before its cut. Its client notices nothing but the wait:
    // a new one's StartupMessage, a moving one's next statement wait in their sockets. Long
    // enough for a Patroni failover after a crash (ttl 30 s).
    milliseconds hold_timeout{30'000};
    std::uint32_t max_client_connections = 1000;
    std::uint32_t buffer_size = 16 * 1024;
    // How long a session that ended while its client was idle keeps the client connection to
    // answer its next message with the ErrorResponse that ended it (libpq would take one sent
    // unasked for a notice, and report no SQLSTATE); 0 sends it at once.
    milliseconds idle_error_hold{5 * 60'000};
    // Proxy mode: the bytes of SET statements and prepared statements a session keeps to replay
    // on the node it moves to; a session that needs more is pinned to its node.
    std::uint32_t max_session_state = 1024 * 1024;
    // After an upgrade (SIGUSR2) has handed the listening sockets to the new process: how long
    // the old one lets its sessions end on their own before it ends the rest (57P01) and exits.
    milliseconds drain_timeout{10 * 60'000};
};

// pgroute's own certificate, offered to clients.
struct tls_config {
    std::string cert_file;
    std::string key_file;
    std::string ca_file;  // optional: client certificates, when presented, must chain to it
};

struct server_tls_config {
    server_tls_mode mode = server_tls_mode::disable;
    std::string ca_file;  // required for verify-full
};

// passthrough: the node authenticates the client through pgroute, which cannot log in again.
// proxy: pgroute authenticates the client against the user's stored verifier and logs into the
// node in its name (SCRAM with the ClientKey the client's proof reveals, md5 with the stored
// hash), so that it can log in again elsewhere.
enum class auth_mode { passthrough, proxy };

struct auth_config {
    auth_mode mode = auth_mode::passthrough;
    std::string auth_file;  // PgBouncer's userlist.txt; proxy mode needs it
    // Proxy mode, as PgBouncer's: a user auth_file does not list is looked up with auth_query on
    // the leader, logged in as auth_user (listed in auth_file with an md5 hash, or no password
    // for nodes that trust it), in auth_dbname or else the client's database; the answers are
    // kept for auth_cache_ttl, over at most auth_pool_size connections per worker thread.
    std::string auth_user;  // empty: auth_file alone
    std::string auth_query = "SELECT usename, passwd FROM pg_shadow WHERE usename = $1";
    std::string auth_dbname;
    milliseconds auth_cache_ttl{60'000};
    unsigned auth_pool_size = 2;
};

struct admin_config {
    listen_address listen{"127.0.0.1", 5553};
};

// Several pgroute instances side by side (behind DNS or an L4 balancer), as PgBouncer's peering:
// a client's CancelRequest may reach another instance than the one that holds its session. Each
// instance puts its id in the cancel keys it issues, and one that is handed another's key sends
// the request on to that instance's address (any of its client endpoints).
struct peer_config {
    unsigned id = 0;  // 1 to 255
    listen_address address;

    bool operator==(const peer_config&) const = default;
};

struct peering_config {
    unsigned id = 0;  // this instance's, 1 to 255
    std::vector<peer_config> peers;

    [[nodiscard]] const peer_config* peer(unsigned peer_id) const {
        for (const auto& p : peers) {
            if (p.id == peer_id) return &p;
        }
        return nullptr;
    }
};

struct config {
    unsigned threads = 0;  // 0 = one per core
    log_level level = log_level::info;
    std::vector<endpoint_config> endpoints;
    std::vector<node_config> nodes;
    std::optional<patroni_config> patroni;  // absent: static roles from `nodes`
    limits_config limits;
    std::optional<admin_config> admin;
    std::optional<tls_config> tls;  // absent: no endpoint can offer TLS
    server_tls_config server_tls;
    auth_config auth;
    std::optional<peering_config> peering;  // absent: one instance, keys random in every bit
};

}  // namespace pgroute::proxy
