// One listen, frontend, backend or defaults section of haproxy.cfg, read into what pgroute can
// use of it, with a note for each directive it cannot. A proxy section starts from a copy of the
// defaults section before it, as HAProxy's proxies do.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "proxy/migrate/haproxy_config.h"
#include "proxy/migrate/haproxy_values.h"
#include "proxy/migrate/migrate_error.h"
#include "proxy/migrate/migration.h"

namespace pgroute::proxy::migrate {

using std::chrono::milliseconds;

struct check_spec {
    std::string method;
    std::string uri;
    std::size_t line = 0;
    std::string text;  // the directive, for the output's comments
};

// default-server and server parameters: how the health check ran.
struct check_timing {
    std::optional<carried<milliseconds>> inter;
    std::optional<carried<milliseconds>> fastinter;
    std::optional<carried<unsigned>> rise;
    std::optional<carried<unsigned>> fall;
    bool shutdown_sessions = false;  // on-marked-down shutdown-sessions
};

struct server_spec {
    std::string name;
    server_address address;
    std::size_t line = 0;
    bool check = false;
    bool check_ssl = false;
    std::optional<std::uint16_t> check_port;
    std::string check_host;  // `addr`; empty: the server's own host
    check_timing timing;
};

struct proxy_settings {
    std::vector<carried<listen_address>> binds;
    std::optional<check_spec> check;
    std::optional<carried<balance_kind>> balance;
    std::string mode = "tcp";  // anything else (http, log, spop) is not PostgreSQL
    bool stats = false;
    server_spec default_server;  // what every server line starts from
    std::vector<server_spec> servers;
    std::optional<carried<std::string>> default_backend;
    // Process-wide in pgroute, so gathered from every section.
    std::optional<carried<milliseconds>> connect_timeout;
    std::optional<carried<milliseconds>> check_timeout;
    std::vector<migration_note> notes;

    // What a proxy section inherits from this defaults section.
    [[nodiscard]] proxy_settings inherited() const;
};

// Reads `server` and `default-server` parameters from words[first] on into `server`.
[[nodiscard]] std::optional<migrate_error> read_server_params(const haproxy_directive& directive,
                                                              std::size_t first,
                                                              server_spec& server,
                                                              std::vector<migration_note>& notes);

[[nodiscard]] std::variant<proxy_settings, migrate_error> read_proxy(
    const haproxy_section& section, const proxy_settings& defaults);

}  // namespace pgroute::proxy::migrate
