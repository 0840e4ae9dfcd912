// What a haproxy.cfg becomes in pgroute's terms, before it is written out as pgroute.yaml: the
// settings carried over, each with the HAProxy directive it came from, and a note for every
// directive that could not be carried, with the reason.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proxy/config/config.h"

namespace pgroute::proxy::migrate {

// A line of the output's comments: "haproxy line N: ...".
struct migration_note {
    std::size_t line = 0;
    std::string text;
};

// A value and the directive that set it, quoted beside the key in the output.
template <typename T>
struct carried {
    T value{};
    std::size_t line = 0;
    std::string origin;
};

struct migrated_endpoint {
    std::string name;
    std::string origin;  // "listen postgresql-primary", "frontend fe_write -> backend be_write"
    std::size_t line = 0;
    listen_address listen;
    route_kind route = route_kind::leader;
    std::string check;  // the health check it stands for: "GET /primary"
    std::optional<balance_kind> balance;
    bool fallback_to_leader = false;
    std::optional<bool> cut_on_promote;
    std::optional<bool> cut_lagging_when_idle;
    std::vector<migration_note> notes;  // about this section's directives
};

struct migrated_node {
    std::string name;
    std::string host;
    std::uint16_t port = 5432;
    std::string api_url;
    std::size_t line = 0;
};

struct migration {
    std::vector<migrated_endpoint> endpoints;
    std::vector<migrated_node> nodes;
    std::optional<carried<unsigned>> threads;
    // patroni.*
    std::optional<carried<std::chrono::milliseconds>> interval;
    std::optional<carried<std::chrono::milliseconds>> fast_interval;
    std::optional<carried<std::chrono::milliseconds>> check_timeout;
    std::optional<carried<std::uint64_t>> max_lag;
    std::optional<carried<unsigned>> rise;
    std::optional<carried<unsigned>> fall;
    // limits.*
    std::optional<carried<std::chrono::milliseconds>> connect_timeout;
    std::optional<carried<unsigned>> max_client_connections;
    std::optional<carried<listen_address>> admin_listen;
    std::vector<migration_note> notes;  // everything not about one endpoint
};

}  // namespace pgroute::proxy::migrate
