// Host names resolved without trusting getaddrinfo to return in time.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

namespace pgroute::health {

struct host_lookup_result {
    std::error_code error{};
    std::vector<asio::ip::tcp::endpoint> endpoints{};  // in getaddrinfo's order, when no error
};

// Resolves host:port as getaddrinfo does (an IP literal needs no lookup). The wait ends at
// `deadline` with asio::error::timed_out, or with asio::error::operation_aborted when the
// awaiting coroutine is cancelled, whether or not getaddrinfo has returned: the awaiting thread
// never blocks, and nothing waits for a lookup that hangs. Never throws. The awaiting executor
// must run one handler at a time (a single-threaded io_context, or a strand).
[[nodiscard]] asio::awaitable<host_lookup_result> lookup_host(
    std::string host, std::uint16_t port, std::chrono::steady_clock::time_point deadline);

}  // namespace pgroute::health
