// A minimal asynchronous HTTP/1.1 client for polling Patroni's REST API (GET) and for acting on
// pgroute's admin listener (POST): one request per connection, one deadline over resolve,
// connect, send and receive, and a cap on what it will read.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <string>

#include "health/patroni/api_access.h"
#include "health/patroni/http_codec.h"
#include "health/patroni/http_url.h"
#include "health/topology/poll_outcome.h"

namespace pgroute::health {

struct http_result {
    // ok (status 200, body complete), unreachable, timeout or http_error.
    poll_outcome outcome = poll_outcome::unreachable;
    int status_code = 0;  // when a status line arrived
    std::string body{};   // when outcome is ok, or a whole response of another status arrived
    std::string error{};  // what went wrong, for logs
};

inline constexpr std::size_t default_max_response_bytes = std::size_t{1} << 20;

// Never throws for network or protocol trouble. Cancelling the awaiting coroutine ends the
// request early (reported as unreachable, "cancelled").
// `access` is taken by value: requests are often built now and awaited later, together.
[[nodiscard]] asio::awaitable<http_result> http_get(
    http_url url, std::string path, std::chrono::milliseconds timeout, api_access access = {},
    std::size_t max_response_bytes = default_max_response_bytes);

// The same with a POST of no body.
[[nodiscard]] asio::awaitable<http_result> http_post(http_url url, std::string path,
                                                     std::chrono::milliseconds timeout);

}  // namespace pgroute::health
