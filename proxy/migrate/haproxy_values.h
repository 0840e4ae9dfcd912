// The value syntaxes of haproxy.cfg that pgroute has an equivalent for: times, bind and server
// addresses, health check URIs. Each failure says why, for the caller to put beside the line.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "health/patroni/result.h"
#include "proxy/config/config.h"

namespace pgroute::proxy::migrate {

// HAProxy's time format: a whole number with an optional unit (us, ms, s, m, h, d); no unit is
// milliseconds. Microseconds round up, so that a timeout never becomes zero.
[[nodiscard]] health::parsed<std::chrono::milliseconds> parse_haproxy_time(std::string_view text);

// A bind address: "*:5551", ":5551", "10.0.0.5:5551", "[::]:5551", "ipv6@:::5551".
[[nodiscard]] health::parsed<listen_address> parse_bind_address(std::string_view text);

struct server_address {
    std::string host;
    std::optional<std::uint16_t> port;  // absent: HAProxy used the client's destination port
};

// A server's address: "10.0.0.11:5432", "db1:5431", "[fd00::1]:5432", "db1".
[[nodiscard]] health::parsed<server_address> parse_server_address(std::string_view text);

struct check_uri {
    std::string path;
    std::vector<std::pair<std::string, std::string>> query;  // in order, undecoded
};

// "/replica?lag=1MB&replication_state=streaming".
[[nodiscard]] check_uri parse_check_uri(std::string_view text);

// A whole number within [min, max].
[[nodiscard]] std::optional<unsigned> parse_count(std::string_view text, unsigned min,
                                                  unsigned max);

// How pgroute.yaml writes an address: host:port, IPv6 in brackets.
[[nodiscard]] std::string format_address(std::string_view host, std::uint16_t port);

}  // namespace pgroute::proxy::migrate
