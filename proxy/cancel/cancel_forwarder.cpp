#include "proxy/cancel/cancel_forwarder.h"

#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "proxy/net/deadline.h"

namespace pgroute::proxy {

namespace {

// Connects to host:port and writes `packet`, all within `timeout`; the error, if any.
asio::awaitable<std::error_code> send_packet(const std::string& host, std::uint16_t port,
                                             const std::string& packet,
                                             std::chrono::milliseconds timeout) {
    const auto executor = co_await asio::this_coro::executor;
    asio::steady_timer deadline(executor, timeout);
    asio::ip::tcp::endpoint address;
    if (auto ec = co_await resolve_before(host, port, deadline, address)) co_return ec;
    asio::ip::tcp::socket socket(executor);
    if (auto ec = co_await connect_before(socket, address, deadline)) co_return ec;
    auto [ec, written] = co_await asio::async_write(
        socket, asio::buffer(packet), asio::experimental::as_tuple(asio::use_awaitable));
    co_return ec;
}

asio::awaitable<cancel_delivery> send_to_peer(const protocol::cancel_key& key, unsigned owner,
                                              const peer_config* peer,
                                              std::chrono::milliseconds timeout) {
    const std::string where = "pgroute instance " + std::to_string(owner) + " (" +
                              peer->address.host + ":" + std::to_string(peer->address.port) + ")";
    const auto ec = co_await send_packet(peer->address.host, peer->address.port,
                                         protocol::build_cancel_request(key, true), timeout);
    if (ec)
        co_return cancel_delivery{cancel_outcome::peer_unreachable, where + ": " + ec.message()};
    co_return cancel_delivery{cancel_outcome::sent_to_peer, where};
}

}  // namespace

asio::awaitable<cancel_delivery> forward_cancel(const cancel_paths& paths,
                                                const protocol::cancel_request& request,
                                                std::chrono::milliseconds timeout) {
    const auto key = protocol::key_of(request);
    const auto target = paths.keys.find(key);
    if (!target) {
        const unsigned owner = cancel_keys::instance_of(key);
        // A peer's request is never sent further: peers that disagree on ids cannot loop it.
        const bool foreign =
            paths.peering != nullptr && !request.from_peer && owner != paths.peering->id;
        const auto* peer = foreign ? paths.peering->peer(owner) : nullptr;
        if (peer != nullptr) co_return co_await send_to_peer(key, owner, peer, timeout);
        // Also a key of no listed instance: a reload that changed peering.id left the sessions
        // that hold the old id's keys with the old process. Older processes only, each its own
        // predecessor's successor: the chain ends.
        if (paths.predecessor.pass(key)) {
            co_return cancel_delivery{cancel_outcome::sent_to_old_process,
                                      "the pgroute this one upgraded from (pid " +
                                          std::to_string(paths.predecessor.pid()) +
                                          "), whose sessions finish there"};
        }
        co_return cancel_delivery{cancel_outcome::unknown_key,
                                  foreign
                                      ? "the key is of pgroute instance " + std::to_string(owner) +
                                            ", which is not among peering.peers"
                                      : "no live session holds this cancel key"};
    }

    const auto& node = target->node;
    const std::string where =
        "node \"" + node.name + "\" (" + node.host + ":" + std::to_string(node.port) + ")";
    const auto ec = co_await send_packet(node.host, node.port,
                                         protocol::build_cancel_request(target->key), timeout);
    if (ec)
        co_return cancel_delivery{cancel_outcome::node_unreachable, where + ": " + ec.message()};
    co_return cancel_delivery{cancel_outcome::forwarded, where};
}

void log_cancel_delivery(const logger& log, const std::string& who,
                         const protocol::cancel_request& request, const cancel_delivery& delivery) {
    const std::string from = request.from_peer ? " (from a peer)" : "";
    // A dropped cancel is worth a warning: a forged or stale key, or a node gone away.
    if (delivery.outcome == cancel_outcome::forwarded ||
        delivery.outcome == cancel_outcome::sent_to_peer ||
        delivery.outcome == cancel_outcome::sent_to_old_process) {
        log.info(who + " cancel request" + from + " forwarded to " + delivery.detail);
    } else {
        log.warn(who + " cancel request" + from + " dropped: " + delivery.detail);
    }
}

asio::awaitable<void> serve_cancel_request(const cancel_paths& paths,
                                           const protocol::cancel_request& request,
                                           std::chrono::milliseconds timeout,
                                           endpoint_counters& counters, const logger& log,
                                           const std::string& who) {
    const auto delivery = co_await forward_cancel(paths, request, timeout);
    counters.cancels(delivery.outcome).add();
    log_cancel_delivery(log, who, request, delivery);
}

}  // namespace pgroute::proxy
