#include "proxy/cancel/successor_cancels.h"

#include <array>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/use_awaitable.hpp>
#include <string>
#include <variant>

#include "protocol/startup.h"

namespace pgroute::proxy {

namespace {

constexpr std::string_view who = "the new pgroute's";

asio::awaitable<void> deliver(const cancel_paths& paths, protocol::cancel_request request,
                              std::chrono::milliseconds timeout, const logger& log) {
    // Sent as a peer's, so that an older pgroute sends it on to no peer; peering plays no part
    // here (paths.peering is null), and the log tells it as the client sent it.
    request.from_peer = false;
    const auto delivery = co_await forward_cancel(paths, request, timeout);
    log_cancel_delivery(log, std::string(who), request, delivery);
}

asio::awaitable<void> serve(asio::posix::stream_descriptor channel, const cancel_paths& paths,
                            std::chrono::milliseconds timeout, const logger& log) {
    // One packet per read (a seqpacket socket); the longest a CancelRequest can be.
    std::array<char, 8 + 4 + 256> packet{};
    for (;;) {
        auto [ec, got] = co_await channel.async_read_some(
            asio::buffer(packet), asio::experimental::as_tuple(asio::use_awaitable));
        if (ec) co_return;  // EOF: the new process exited, and its sessions' keys with it
        const std::string_view body(packet.data() + 4, got >= 4 ? got - 4 : 0);
        auto parsed = protocol::parse_startup_packet(body);
        const auto* startup = std::get_if<protocol::startup_packet>(&parsed);
        const auto* request =
            startup != nullptr ? std::get_if<protocol::cancel_request>(startup) : nullptr;
        if (request == nullptr) {
            log.warn(std::string(who) + " channel carried something else than a cancel request");
            continue;
        }
        // Each on its own: a node slow to connect to holds up no other cancel.
        asio::co_spawn(channel.get_executor(), deliver(paths, *request, timeout, log),
                       asio::detached);
    }
}

}  // namespace

void serve_successor_cancels(asio::io_context& io, int fd, const cancel_paths& paths,
                             std::chrono::milliseconds timeout, const logger& log) {
    asio::co_spawn(io, serve(asio::posix::stream_descriptor(io, fd), paths, timeout, log),
                   asio::detached);
}

}  // namespace pgroute::proxy
