#include "proxy/cancel_forwarder.h"

#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "proxy/deadline.h"

namespace pgroute::proxy {

asio::awaitable<cancel_delivery> forward_cancel(const cancel_keys& keys,
                                                const protocol::cancel_request& request,
                                                std::chrono::milliseconds timeout) {
    const auto key = protocol::key_of(request);
    const auto target = key ? keys.find(*key) : std::nullopt;
    if (!target) co_return cancel_delivery{false, "no live session holds this cancel key"};

    const auto& node = target->node;
    const std::string where =
        "node \"" + node.name + "\" (" + node.host + ":" + std::to_string(node.port) + ")";
    const auto executor = co_await asio::this_coro::executor;
    asio::steady_timer deadline(executor, timeout);
    asio::ip::tcp::endpoint address;
    if (auto ec = co_await resolve_before(node.host, node.port, deadline, address)) {
        co_return cancel_delivery{false, where + ": " + ec.message()};
    }
    asio::ip::tcp::socket socket(executor);
    if (auto ec = co_await connect_before(socket, address, deadline)) {
        co_return cancel_delivery{false, where + ": " + ec.message()};
    }
    const std::string packet = protocol::build_cancel_request(target->key);
    auto [ec, written] = co_await asio::async_write(
        socket, asio::buffer(packet), asio::experimental::as_tuple(asio::use_awaitable));
    if (ec) co_return cancel_delivery{false, where + ": " + ec.message()};
    co_return cancel_delivery{true, where};
}

}  // namespace pgroute::proxy
