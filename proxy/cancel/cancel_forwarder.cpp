#include "proxy/cancel/cancel_forwarder.h"

#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "proxy/net/deadline.h"

namespace pgroute::proxy {

asio::awaitable<cancel_delivery> forward_cancel(const cancel_keys& keys,
                                                const protocol::cancel_request& request,
                                                std::chrono::milliseconds timeout) {
    const auto target = keys.find(protocol::key_of(request));
    if (!target)
        co_return cancel_delivery{cancel_outcome::unknown_key,
                                  "no live session holds this cancel key"};

    const auto& node = target->node;
    const std::string where =
        "node \"" + node.name + "\" (" + node.host + ":" + std::to_string(node.port) + ")";
    const auto executor = co_await asio::this_coro::executor;
    asio::steady_timer deadline(executor, timeout);
    asio::ip::tcp::endpoint address;
    if (auto ec = co_await resolve_before(node.host, node.port, deadline, address)) {
        co_return cancel_delivery{cancel_outcome::node_unreachable, where + ": " + ec.message()};
    }
    asio::ip::tcp::socket socket(executor);
    if (auto ec = co_await connect_before(socket, address, deadline)) {
        co_return cancel_delivery{cancel_outcome::node_unreachable, where + ": " + ec.message()};
    }
    const std::string packet = protocol::build_cancel_request(target->key);
    auto [ec, written] = co_await asio::async_write(
        socket, asio::buffer(packet), asio::experimental::as_tuple(asio::use_awaitable));
    if (ec)
        co_return cancel_delivery{cancel_outcome::node_unreachable, where + ": " + ec.message()};
    co_return cancel_delivery{cancel_outcome::forwarded, where};
}

asio::awaitable<void> serve_cancel_request(const cancel_keys& keys,
                                           const protocol::cancel_request& request,
                                           std::chrono::milliseconds timeout,
                                           endpoint_counters& counters, const logger& log,
                                           const std::string& who) {
    const auto delivery = co_await forward_cancel(keys, request, timeout);
    counters.cancels(delivery.outcome).add();
    // A dropped cancel is worth a warning: a forged or stale key, or a node gone away.
    if (delivery.outcome == cancel_outcome::forwarded) {
        log.info(who + " cancel request forwarded to " + delivery.detail);
    } else {
        log.warn(who + " cancel request dropped: " + delivery.detail);
    }
}

}  // namespace pgroute::proxy
