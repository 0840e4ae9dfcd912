#include "proxy/cancel/successor_cancels.h"

#include <unistd.h>

#include <array>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/use_awaitable.hpp>
#include <optional>
#include <string>
#include <system_error>
#include <variant>

#include "protocol/startup.h"

namespace pgroute::proxy {

namespace {

constexpr std::string_view who = "the new pgroute's";

// `packet` is owned here: the request parsed from it points into it.
asio::awaitable<void> deliver(const cancel_paths& paths, std::string packet,
                              std::chrono::milliseconds timeout, const logger& log) {
    const std::string_view body =
        packet.size() >= 4 ? std::string_view(packet).substr(4) : std::string_view{};
    auto parsed = protocol::parse_startup_packet(body);
    auto* startup = std::get_if<protocol::startup_packet>(&parsed);
    auto* request = startup != nullptr ? std::get_if<protocol::cancel_request>(startup) : nullptr;
    if (request == nullptr) {
        log.warn(std::string(who) + " cancel channel carried something else than a request");
        co_return;
    }
    // The new process marks it a peer's, so that no pgroute sends it to a peer again; here
    // paths.peering is null, so the mark only tells the log, which tells it as the client sent it.
    request->from_peer = false;
    const auto delivery = co_await forward_cancel(paths, *request, timeout);
    log_cancel_delivery(log, std::string(who), *request, delivery);
}

asio::awaitable<void> serve(asio::posix::stream_descriptor channel, const cancel_paths& paths,
                            std::chrono::milliseconds timeout, const logger& log) {
    // One packet per read (a seqpacket socket); the longest a CancelRequest can be.
    std::array<char, 8 + 4 + 256> packet{};
    for (;;) {
        auto [ec, got] = co_await channel.async_read_some(
            asio::buffer(packet), asio::experimental::as_tuple(asio::use_awaitable));
        if (ec) co_return;  // EOF: the new process exited, and its sessions' keys with it
        // Each on its own: a node slow to connect to holds up no other cancel.
        asio::co_spawn(channel.get_executor(),
                       deliver(paths, std::string(packet.data(), got), timeout, log),
                       asio::detached);
    }
}

}  // namespace

void serve_successor_cancels(asio::io_context& io, int fd, const cancel_paths& paths,
                             std::chrono::milliseconds timeout, const logger& log) {
    std::optional<asio::posix::stream_descriptor> channel;
    try {
        channel.emplace(io, fd);
    } catch (const std::system_error& e) {
        // The reactor refused the descriptor (epoll_ctl): Asio left it open.
        ::close(fd);
        log.error(std::string("upgrade: cannot wait on the cancel channel: ") + e.what() +
                  "; cancel requests for this process's sessions will be dropped");
        return;
    }
    asio::co_spawn(io, serve(std::move(*channel), paths, timeout, log), asio::detached);
}

}  // namespace pgroute::proxy
