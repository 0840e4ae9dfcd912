// The address of a Patroni REST API as configured ("http://127.0.0.1:8008"), split into what a
// connection and a request line need.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "health/patroni/result.h"

namespace pgroute::health {

struct http_url {
    std::string host;  // a name, an IPv4 address or an IPv6 address without brackets
    std::uint16_t port = 80;
    std::string base_path;  // prepended to request paths; empty or "/..." without a trailing '/'
    bool tls = false;       // https

    bool operator==(const http_url&) const = default;
};

// http:// or https://; credentials belong in the config (patroni.api_username), not the URL.
[[nodiscard]] parsed<http_url> parse_http_url(std::string_view url);

// The Host header value: "127.0.0.1:8008", "[::1]:8008".
[[nodiscard]] std::string host_header(const http_url& url);

}  // namespace pgroute::health
