#include "proxy/cancel_forwarder.h"

#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "proxy/deadline.h"

namespace pgroute::proxy {

asio::awaitable<void> forward_cancel(const health::Topology& topology, std::span<const char> packet,
                                     std::chrono::milliseconds timeout) {
    const auto executor = co_await asio::this_coro::executor;
    for (const auto& node : topology.nodes) {
        asio::steady_timer deadline(executor, timeout);
        asio::ip::tcp::endpoint target;
        if (co_await resolve_before(node.address.host, node.address.port, deadline, target)) {
            continue;
        }
        asio::ip::tcp::socket socket(executor);
        if (co_await connect_before(socket, target, deadline)) continue;
        co_await asio::async_write(socket, asio::buffer(packet.data(), packet.size()),
                                   asio::experimental::as_tuple(asio::use_awaitable));
    }
}

}  // namespace pgroute::proxy
