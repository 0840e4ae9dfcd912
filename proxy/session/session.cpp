#include "proxy/session/session.h"

#include <array>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <cstdio>
#include <tuple>

#include "protocol/sqlstate.h"
#include "protocol/startup_answer.h"
#include "proxy/cancel/cancel_forwarder.h"
#include "proxy/net/deadline.h"
#include "proxy/net/node_tls.h"
#include "proxy/relay/relay.h"
#include "proxy/routing/router.h"
#include "proxy/session/client_error.h"
#include "proxy/session/client_startup.h"
#include "proxy/session/session_frames.h"

namespace pgroute::proxy {

namespace {

using asio::ip::tcp;
namespace sqlstate = protocol::sqlstate;

// How long a session ended from our side waits for the client to read its last ErrorResponse and
// close; a client that has gone silent gets its close after this.
constexpr std::chrono::seconds last_word_linger{1};

std::string describe(const tcp::socket& socket) {
    std::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    if (ec) return "unknown";
    return remote.address().to_string() + ":" + std::to_string(remote.port());
}

std::string quoted(std::string_view node_name) {
    return "\"" + std::string(node_name) + "\"";
}

// The identity of a session in its log lines.
struct session_label {
    std::string id;
    const endpoint_config& endpoint;
    std::string client;
    std::string user;  // known once the startup packet is read
    std::string database;
    std::string node = "-";

    [[nodiscard]] std::string text() const {
        return "session " + id + " endpoint=" + endpoint.name + " client=" + client +
               " user=" + user + " database=" + database + " node=" + node;
    }
};

std::string seconds_since(std::chrono::steady_clock::time_point start) {
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    char text[32];
    std::snprintf(text, sizeof text, "%.3fs", elapsed.count());
    return text;
}

// The ErrorResponse a client gets when the relay ended for a reason that is not its own doing.
// Nothing is sent when the server already spoke for itself (its last word was an ErrorResponse),
// the client asked to end, or the client is gone.
struct closing_error {
    std::string_view sqlstate;
    std::string message;
};

std::optional<closing_error> closing_error_for(const relay_result& result,
                                               const session_control& control,
                                               const client_frames& from_client,
                                               const server_frames& from_server) {
    if (!result.client_at_frame_boundary) return std::nullopt;
    switch (result.end) {
        case relay_end::cut:
            if (control.cut->reason == cut_reason::shutdown) {
                return closing_error{sqlstate::admin_shutdown, control.cut->message};
            }
            return closing_error{sqlstate::connection_failure,
                                 "pgroute cut this session: " + control.cut->message};
        case relay_end::client_protocol_violation:
            return closing_error{sqlstate::protocol_violation,
                                 "invalid message from client: " + result.detail};
        case relay_end::server_protocol_violation:
            return closing_error{
                sqlstate::protocol_violation,
                "invalid message from node " + quoted(control.node_name) + ": " + result.detail};
        case relay_end::server_error:
            if (from_server.ended_with_error()) return std::nullopt;
            return closing_error{
                sqlstate::connection_failure,
                "lost the connection to node " + quoted(control.node_name) + ": " + result.detail};
        case relay_end::server_closed:
            if (from_server.ended_with_error() || from_client.sent_terminate()) {
                return std::nullopt;
            }
            return closing_error{
                sqlstate::connection_failure,
                "node " + quoted(control.node_name) +
                    (result.bytes_from_server == 0 ? " closed the connection before answering"
                                                   : " closed the connection unexpectedly")};
        case relay_end::client_closed:
        case relay_end::client_error:
        case relay_end::stopped:  // no handler of the session's stops without a cut yet
            return std::nullopt;
    }
    return std::nullopt;
}

// The router's answer and the snapshot it was given.
struct routing {
    health::TopologyPtr topology;  // kept alive for the session: the node it picked lives here
    route_decision decision;
    std::optional<std::chrono::steady_clock::time_point> waiting_since;  // set if it waited
};

// In Patroni mode a session may wait for the topology to change until `give_up`; static roles
// never change, so there it never waits.
bool may_wait_for_node(const worker_context& worker,
                       std::chrono::steady_clock::time_point give_up) {
    return worker.cfg.patroni.has_value() && !worker.stopping &&
           std::chrono::steady_clock::now() < give_up;
}

// Returns once the worker has a snapshot other than `seen`, or the session may wait no longer.
// The health loop publishes one every patroni.fast_interval while there is no leader, and the
// worker wakes its waiting sessions as it adopts each.
asio::awaitable<void> wait_for_newer_snapshot(worker_context& worker,
                                              const health::TopologyPtr& seen,
                                              std::chrono::steady_clock::time_point give_up) {
    while (worker.topology == seen && may_wait_for_node(worker, give_up)) {
        co_await worker.snapshot_waiting.wait(give_up);
    }
}

// Asks the router, and asks again with every new snapshot while the session may wait (up to
// limits.node_wait): during a switchover the leader is gone for a second or two, and a client
// that waits that long is better served than one that is refused. `stale`, if set, is a snapshot
// whose answer already failed (its node refused or dropped the session, or said 57P03): only a
// newer one is asked.
asio::awaitable<routing> route_session(const endpoint_config& endpoint, std::size_t endpoint_index,
                                       worker_context& worker,
                                       std::chrono::steady_clock::time_point give_up,
                                       const health::TopologyPtr& stale = {}) {
    const auto asked_at = std::chrono::steady_clock::now();
    routing routed;
    if (stale) {
        routed.waiting_since = asked_at;
        co_await wait_for_newer_snapshot(worker, stale, give_up);
    }
    for (;;) {
        routed.topology = worker.topology;
        const auto counts = endpoint.balance == balance_kind::least_connections
                                ? worker.sessions.count_per_node(*routed.topology)
                                : std::vector<std::uint32_t>{};
        routed.decision =
            pick_node(*routed.topology, endpoint, worker.route_tickets[endpoint_index]++, counts);
        if (routed.decision.node || !may_wait_for_node(worker, give_up)) co_return routed;
        if (!routed.waiting_since) routed.waiting_since = asked_at;
        co_await wait_for_newer_snapshot(worker, routed.topology, give_up);
    }
}

// Connects to the node within connect_timeout. A cut ordered meanwhile cancels the attempt.
asio::awaitable<std::error_code> connect_to_node(tcp::socket& server, const health::NodeView& node,
                                                 std::chrono::milliseconds timeout) {
    asio::steady_timer deadline(server.get_executor(), timeout);
    tcp::endpoint target;
    if (auto ec = co_await resolve_before(node.address.host, node.address.port, deadline, target)) {
        co_return ec;
    }
    co_return co_await connect_before(server, target, deadline);
}

// What a session holds from its first byte to its last. It lives in run_session's frame; the
// phases are coroutines of their own, so the temporaries of startup, routing and every error
// path are freed once the relay begins instead of staying in the frame of an idle session.
struct session_state {
    session_state(tcp::socket client_socket, std::size_t endpoint_at,
                  worker_context& worker_context)
        : client(std::move(client_socket)),
          endpoint(worker_context.cfg.endpoints[endpoint_at]),
          worker(worker_context),
          endpoint_index(endpoint_at),
          label{
              std::to_string(worker.worker_index) + "-" + std::to_string(++worker.next_session_id),
              endpoint, describe(client), "-", "-"},
          server(client.get_executor()) {}

    [[nodiscard]] endpoint_counters& counters() const {
        return worker.metrics.endpoint(endpoint_index);
    }
    // Over TLS once the client negotiated it.
    [[nodiscard]] asio::awaitable<void> tell_client(std::string_view sqlstate,
                                                    const std::string& message) {
        return send_fatal_to(client, client_tls.get(), sqlstate, message);
    }

    tcp::socket client;
    const endpoint_config& endpoint;
    worker_context& worker;
    std::size_t endpoint_index;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    session_label label;
    std::unique_ptr<tls_stream> client_tls;  // set once the client negotiated TLS
    std::vector<char> startup_packet;        // the StartupMessage, replayed to the node
    routing routed;
    tcp::socket server;
    std::unique_ptr<tls_stream> server_tls;  // set when the node speaks TLS with pgroute
    std::optional<session_registry::registration> registration;
};

// Reads the startup packet and answers what ends there: a malformed packet, a CancelRequest, a
// plaintext client on an endpoint that requires TLS. True when a StartupMessage is to be served.
asio::awaitable<bool> read_startup(session_state& s) {
    auto& counters = s.counters();
    auto startup = co_await read_client_startup(
        s.client, s.client_tls, client_tls_offer(s.worker.tls, s.endpoint), s.worker.cfg.limits);
    if (auto* failure = std::get_if<client_startup_failure>(&startup)) {
        counters
            .rejections(failure->error ? session_rejection::startup_error
                                       : session_rejection::startup_abandoned)
            .add();
        s.worker.log.warn(s.label.text() + " rejected during startup: " + failure->log_cause);
        if (failure->error) {
            co_await s.tell_client(failure->error->sqlstate, failure->error->message);
        }
        co_return false;
    }
    auto& accepted = std::get<client_startup>(startup);
    if (const auto* cancel = std::get_if<protocol::cancel_request>(&accepted.request)) {
        co_await serve_cancel_request(s.worker.issued_cancel_keys, *cancel,
                                      s.worker.cfg.limits.connect_timeout, counters, s.worker.log,
                                      s.label.text());
        co_return false;
    }
    const auto& startup_message = std::get<protocol::startup_message>(accepted.request);
    s.label.user = startup_message.user;
    s.label.database = startup_message.database;
    if (s.endpoint.tls == client_tls_mode::require && !s.client_tls) {
        counters.rejections(session_rejection::startup_error).add();
        s.worker.log.warn(s.label.text() +
                          " refused: plaintext client on an endpoint that requires TLS");
        co_await send_fatal(s.client, sqlstate::invalid_authorization_specification,
                            "pgroute endpoint \"" + s.endpoint.name +
                                "\" requires TLS: connect with sslmode=require or stronger");
        co_return false;
    }
    s.startup_packet = std::move(accepted.packet);
    co_return true;
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

// Routes, connects and replays the StartupMessage, registered with the worker so that a cut can
// stop the attempt. A node that refuses the connection, or drops it before answering (an old
// leader stopping before the health loop has seen it), sends the session back to the router for
// a newer snapshot, as long as it may still wait. True when the node has the StartupMessage
// (over TLS if it speaks it); otherwise the client has been told why.
asio::awaitable<bool> connect_session(session_state& s) {
    auto& worker = s.worker;
    const auto give_up = std::chrono::steady_clock::now() + worker.cfg.limits.node_wait;
    s.routed = co_await route_session(s.endpoint, s.endpoint_index, worker, give_up);
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
        std::string why;            // the connection to the node failed: why
        bool node_gave_up = false;  // ... before it said anything: another node may serve
        if (const auto ec =
                co_await connect_to_node(s.server, node, worker.cfg.limits.connect_timeout)) {
            why = ec.message();
            node_gave_up = true;
        }
        std::error_code ignored;
        s.server.non_blocking(true, ignored);  // for replay_startup's peek and the relay
        if (why.empty() && !control.cut && worker.tls.nodes) {
            why = co_await negotiate_node_tls(s.server, s.server_tls, *worker.tls.nodes,
                                              worker.cfg.server_tls.mode, node.address.host,
                                              worker.cfg.limits.connect_timeout);
        }
        if (why.empty() && !control.cut) {
            why = co_await replay_startup(s, may_wait_for_node(worker, give_up));
            node_gave_up = !why.empty();
        }
        if (why.empty() && !control.cut) {
            s.startup_packet = {};  // replayed: not kept for the session's lifetime
            co_return true;
        }
        if (node_gave_up && !control.cut && may_wait_for_node(worker, give_up)) {
            worker.log.info(s.label.text() + " could not connect: " + why + "; routing again");
            s.registration.reset();
            s.server_tls.reset();
            s.server = tcp::socket(s.client.get_executor());
            s.routed = co_await route_session(s.endpoint, s.endpoint_index, worker, give_up,
                                              routed.topology);
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

// What the session's relay works with: its two frame handlers and the handle it steers it by.
struct carried {
    client_frames& from_client;
    server_frames& from_server;
    relay_control& control;
    relay_meters meters;
};

// The relay over whichever streams the session has: a plain function, so choosing among the four
// instantiations adds no coroutine frame.
asio::awaitable<relay_result> relay_streams(session_state& s, const carried& c) {
    const relay_limits limits{s.worker.cfg.limits.max_message_length};
    auto& buffers = s.worker.buffers;
    if (s.client_tls && s.server_tls) {
        return relay(*s.client_tls, *s.server_tls, c.from_client, c.from_server, c.control, buffers,
                     limits, c.meters);
    }
    if (s.client_tls) {
        return relay(*s.client_tls, s.server, c.from_client, c.from_server, c.control, buffers,
                     limits, c.meters);
    }
    if (s.server_tls) {
        return relay(s.client, *s.server_tls, c.from_client, c.from_server, c.control, buffers,
                     limits, c.meters);
    }
    return relay(s.client, s.server, c.from_client, c.from_server, c.control, buffers, limits,
                 c.meters);
}

// The session's last log line.
std::string end_line(const session_state& s, const relay_result& result) {
    const auto& control = s.registration->control();
    std::string end = s.label.text() + " end duration=" + seconds_since(s.started) +
                      " bytes_in=" + std::to_string(result.bytes_from_client) +
                      " bytes_out=" + std::to_string(result.bytes_from_server) + " reason=\"" +
                      std::string(to_string(result.end));
    if (control.cut) end += ": " + std::string(to_string(control.cut->reason));
    if (!result.detail.empty()) end += ": " + result.detail;
    return end + "\"";
}

// Relays until either side ends; then the client's
// ErrorResponse if it is owed one, the session's last log line, and the linger for its last word.
asio::awaitable<void> carry_session(session_state& s) {
    const auto& node = s.routed.topology->nodes[*s.routed.decision.node];
    auto& control = s.registration->control();
    auto& route = s.worker.metrics.route(s.endpoint_index, node.address.name);
    // Failures here surface as errors on the first read or write of the relay.
    std::error_code ignored;
    s.server.set_option(tcp::no_delay(true), ignored);
    s.client.set_option(tcp::no_delay(true), ignored);
    s.client.non_blocking(true, ignored);
    // Checked before the lines are built, not only in the logger: at log_level warn a session
    // then formats nothing.
    const bool log_session = s.worker.log.enabled(log_level::info);
    if (log_session) s.worker.log.info(s.label.text() + " start");
    const counted_open backend_count(route.backend_opened, route.backend_closed);
    cancel_key_swap cancel_key(s.worker.issued_cancel_keys, node.address);
    query_clock queries(route);
    client_frames from_client(control, queries);
    server_frames from_server(control, queries, cancel_key);
    relay_control steering;
    control.relay = &steering;
    relay_result result = co_await relay_streams(
        s,
        {from_client, from_server, steering, {route.bytes_from_client, route.bytes_from_server}});
    control.relay = nullptr;
    if (control.cut && result.interrupted) {
        result.end = relay_end::cut;
        route.cuts_for(control.cut->reason).add();
    }
    if (auto error = closing_error_for(result, control, from_client, from_server)) {
        co_await s.tell_client(error->sqlstate, error->message);
    }
    if (log_session) s.worker.log.info(end_line(s, result));
    // The session is over (and no longer counted) while the socket waits for the client to close.
    if (result.end != relay_end::client_closed && result.end != relay_end::client_error) {
        s.client_tls.reset();  // it refers to the socket about to move
        asio::co_spawn(s.client.get_executor(),
                       close_after_last_word(std::move(s.client), last_word_linger),
                       asio::detached);
    }
}

}  // namespace

asio::awaitable<void> run_session(tcp::socket client, std::size_t endpoint_index,
                                  worker_context& worker) {
    session_state session(std::move(client), endpoint_index, worker);
    const bool to_serve = co_await read_startup(session);
    if (!to_serve) co_return;
    const bool connected = co_await connect_session(session);
    if (!connected) co_return;
    co_await carry_session(session);
}

}  // namespace pgroute::proxy
