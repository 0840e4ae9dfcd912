#include <array>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <tuple>

#include "protocol/sqlstate.h"
#include "protocol/startup_answer.h"
#include "proxy/net/deadline.h"
#include "proxy/net/node_tls.h"
#include "proxy/session/session_phases.h"

namespace pgroute::proxy {

namespace {

using asio::ip::tcp;
namespace sqlstate = protocol::sqlstate;

// "2s", or "1500ms" when the duration is no whole number of seconds, as pgroute.yaml spells it.
std::string duration_text(std::chrono::milliseconds duration) {
    return duration.count() % 1000 == 0 ? std::to_string(duration.count() / 1000) + "s"
                                        : std::to_string(duration.count()) + "ms";
}

}  // namespace

asio::awaitable<std::string> connect_to_node(tcp::socket& server, const health::node_view& node,
                                             std::chrono::milliseconds timeout) {
    asio::steady_timer deadline(server.get_executor(), timeout);
    tcp::endpoint target;
    const std::string& host = node.address.host;
    if (auto ec = co_await resolve_before(host, node.address.port, deadline, target)) {
        if (ec == asio::error::timed_out) {
            co_return "resolving " + host + " took longer than connect_timeout " +
                duration_text(timeout);
        }
        co_return "resolving " + host + ": " + ec.message();
    }
    const auto ec = co_await connect_before(server, target, deadline);
    co_return ec ? ec.message() : std::string();
}

// Sends the client's StartupMessage and, over plain TCP, waits for the node's first answer and
// looks at it without reading it (the relay does). Returns why the node gave up on the session
// before the client heard from it, which lets the session go elsewhere: it closed or reset the
// connection (an old leader shutting down), or, when `may_route_again`, it answered 57P03 (a node
// starting up or shutting down). Empty once the node has answered otherwise. Through TLS only the
// write is awaited: record bytes cannot be looked at that way.
asio::awaitable<std::string> replay_startup(session_state& s, bool may_route_again) {
    constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);
    const auto packet = asio::buffer(s.startup_packet);
    std::error_code ec;
    // if/else, not ?:, around co_await: GCC 12 miscompiles co_await inside a conditional.
    if (s.server_tls) {
        std::tie(ec, std::ignore) = co_await asio::async_write(*s.server_tls, packet, use_tuple);
        co_return ec ? ec.message() : std::string();
    }
    std::tie(ec, std::ignore) = co_await asio::async_write(s.server, packet, use_tuple);
    std::array<char, 256> answer{};  // a 57P03 ErrorResponse is about 90 bytes
    std::size_t peeked = 0;
    while (!ec && peeked == 0) {
        std::tie(ec) = co_await s.server.async_wait(tcp::socket::wait_read, use_tuple);
        if (ec) break;
        peeked = s.server.receive(asio::buffer(answer), tcp::socket::message_peek, ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) ec.clear();
    }
    if (ec == asio::error::eof) co_return "the node closed the connection before answering";
    if (ec) co_return ec.message();
    if (!may_route_again) co_return std::string();
    const auto refusal =
        protocol::cannot_connect_now_answer(std::string_view(answer.data(), peeked));
    co_return refusal ? "the node answered 57P03: " + refusal->message : std::string();
}

asio::awaitable<node_connection> open_node_connection(session_state& s,
                                                      const health::node_view& node) {
    const auto& cfg = s.cfg();
    // Plain statements around co_await: GCC 12 miscompiles it inside an aggregate initializer.
    node_connection opened;
    opened.failed = co_await connect_to_node(s.server, node, cfg.limits.connect_timeout);
    opened.node_gave_up = !opened.failed.empty();
    std::error_code ignored;
    s.server.non_blocking(true, ignored);  // for replay_startup's peek and the relay
    const auto& control = s.registration->control();
    if (opened.failed.empty() && !control.cut && s.generation->tls().nodes) {
        opened.failed = co_await negotiate_node_tls(s.server, s.server_tls,
                                                    *s.generation->tls().nodes, cfg.server_tls.mode,
                                                    node.address.host, cfg.limits.connect_timeout);
    }
    co_return opened;
}

asio::awaitable<bool> connect_session(session_state& s) {
    auto& worker = s.worker;
    const auto give_up = std::chrono::steady_clock::now() + s.cfg().limits.hold_timeout;
    s.routed = co_await route_session(s.endpoint, s.endpoint_index, worker.topology,
                                      worker.sessions, give_up);
    for (;;) {
        const routing& routed = s.routed;
        if (!routed.decision.node) {
            s.counters().rejections(session_rejection::no_node).add();
            const std::string refusal =
                routed.decision.refusal +
                (routed.waiting_since
                     ? " (waited " + seconds_since(*routed.waiting_since) + " for one)"
                     : "");
            worker.log.warn(s.label.text() + " refused: " + refusal);
            co_await s.tell_client(sqlstate::cannot_connect_now, "pgroute: " + refusal);
            co_return false;
        }
        if (routed.waiting_since) {
            worker.log.info(s.label.text() + " waited " + seconds_since(*routed.waiting_since) +
                            " for a node");
        }
        const auto& node = routed.topology->nodes[*routed.decision.node];
        s.label.node = node.address.name;
        const auto role = routed.decision.node == routed.topology->write_target
                              ? session_role::leader
                              : session_role::replica;
        s.registration.emplace(worker.sessions,
                               session_control{&s.endpoint, role, node.address.name, &s.server,
                                               &s.client, std::nullopt, false});
        const auto& control = s.registration->control();
        // The connection to the node failed: why; and whether before the node said anything
        // (then another node may serve).
        node_connection opened = co_await open_node_connection(s, node);
        std::string why = std::move(opened.failed);
        bool node_gave_up = opened.node_gave_up;
        if (why.empty() && !control.cut) {
            why = co_await replay_startup(s, worker.topology.may_wait(give_up));
            node_gave_up = !why.empty();
        }
        if (why.empty() && !control.cut && s.credentials) {
            const node_login login = co_await log_into_node(s, true);
            if (login.client_told) {
                worker.log.warn(s.label.text() + " refused by the node: " + login.failed);
                co_return false;
            }
            why = login.failed;
        }
        if (why.empty() && !control.cut) {
            // Replayed; kept only where the session may log in again elsewhere.
            if (!s.credentials) s.startup_packet = {};
            co_return true;
        }
        // The client has heard nothing from this node yet, so a node that gave up, or one that
        // left its role meanwhile (a switchover under way), leaves the session free to wait for
        // the next snapshot and go elsewhere.
        if ((node_gave_up || control.cut) && worker.topology.may_wait(give_up)) {
            if (control.cut) why = control.cut->message;
            worker.log.info(s.label.text() + " could not connect: " + why + "; routing again");
            s.registration.reset();
            s.server_tls.reset();
            s.server = tcp::socket(s.client.get_executor());
            s.routed = co_await route_session(s.endpoint, s.endpoint_index, worker.topology,
                                              worker.sessions, give_up, routed.topology);
            continue;
        }
        if (control.cut) {
            worker.metrics.route(s.endpoint_index, node.address.name)
                .cuts_for(control.cut->reason)
                .add();
            why = control.cut->message;
        } else {
            s.counters().rejections(session_rejection::node_unreachable).add();
        }
        worker.log.warn(s.label.text() + " could not connect: " + why);
        co_await s.tell_client(sqlstate::connection_failure,
                               "pgroute could not connect to node " + quoted(node.address.name) +
                                   " (" + node.address.host + ":" +
                                   std::to_string(node.address.port) + "): " + why);
        co_return false;
    }
}

}  // namespace pgroute::proxy
