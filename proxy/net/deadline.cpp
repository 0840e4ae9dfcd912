#include "proxy/net/deadline.h"

#include <asio/experimental/deferred.hpp>
#include <asio/experimental/parallel_group.hpp>
#include <asio/read.hpp>
#include <asio/use_awaitable.hpp>

#include "health/resolve/host_lookup.h"

namespace pgroute::proxy {

using asio::experimental::make_parallel_group;
using asio::experimental::wait_for_one;

template <typename Stream>
asio::awaitable<std::error_code> read_exactly(Stream& stream, asio::mutable_buffer buffer,
                                              asio::steady_timer& deadline) {
    auto [order, read_ec, n, timer_ec] =
        co_await make_parallel_group(asio::async_read(stream, buffer, asio::experimental::deferred),
                                     deadline.async_wait(asio::experimental::deferred))
            .async_wait(wait_for_one(), asio::use_awaitable);
    if (order[0] == 1) co_return asio::error::timed_out;
    co_return read_ec;
}

template asio::awaitable<std::error_code> read_exactly(asio::ip::tcp::socket&, asio::mutable_buffer,
                                                       asio::steady_timer&);
template asio::awaitable<std::error_code> read_exactly(tls_stream&, asio::mutable_buffer,
                                                       asio::steady_timer&);

asio::awaitable<std::error_code> handshake_before(tls_stream& stream,
                                                  asio::ssl::stream_base::handshake_type type,
                                                  asio::steady_timer& deadline) {
    auto [order, handshake_ec, timer_ec] =
        co_await make_parallel_group(stream.async_handshake(type, asio::experimental::deferred),
                                     deadline.async_wait(asio::experimental::deferred))
            .async_wait(wait_for_one(), asio::use_awaitable);
    if (order[0] == 1) co_return asio::error::timed_out;
    co_return handshake_ec;
}

asio::awaitable<std::error_code> connect_before(asio::ip::tcp::socket& socket,
                                                const asio::ip::tcp::endpoint& to,
                                                asio::steady_timer& deadline) {
    auto [order, connect_ec, timer_ec] =
        co_await make_parallel_group(socket.async_connect(to, asio::experimental::deferred),
                                     deadline.async_wait(asio::experimental::deferred))
            .async_wait(wait_for_one(), asio::use_awaitable);
    if (order[0] == 1) co_return asio::error::timed_out;
    co_return connect_ec;
}

asio::awaitable<std::error_code> resolve_before(const std::string& host, std::uint16_t port,
                                                asio::steady_timer& deadline,
                                                asio::ip::tcp::endpoint& out) {
    auto found = co_await health::lookup_host(host, port, deadline.expiry());
    if (!found.error) out = found.endpoints.front();
    co_return found.error;
}

}  // namespace pgroute::proxy
