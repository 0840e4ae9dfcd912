#include "proxy/session.h"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <cstdio>
#include <tuple>

#include "protocol/sqlstate.h"
#include "proxy/cancel_forwarder.h"
#include "proxy/client_error.h"
#include "proxy/client_startup.h"
#include "proxy/deadline.h"
#include "proxy/node_tls.h"
#include "proxy/relay.h"
#include "proxy/router.h"

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
                                               const session_control& control) {
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
            if (result.server_ended_with_error) return std::nullopt;
            return closing_error{
                sqlstate::connection_failure,
                "lost the connection to node " + quoted(control.node_name) + ": " + result.detail};
        case relay_end::server_closed:
            if (result.server_ended_with_error || result.client_sent_terminate) return std::nullopt;
            return closing_error{
                sqlstate::connection_failure,
                "node " + quoted(control.node_name) +
                    (result.bytes_from_server == 0 ? " closed the connection before answering"
                                                   : " closed the connection unexpectedly")};
        case relay_end::client_closed:
        case relay_end::client_error:
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

// How often a session waiting for a node looks for a new snapshot; the health loop publishes one
// every patroni.fast_interval while there is no leader.
constexpr std::chrono::milliseconds node_wait_recheck{25};

// In Patroni mode a session may wait for the topology to change until `give_up`; static roles
// never change, so there it never waits.
bool may_wait_for_node(const worker_context& worker,
                       std::chrono::steady_clock::time_point give_up) {
    return worker.cfg.patroni.has_value() && !worker.stopping &&
           std::chrono::steady_clock::now() < give_up;
}

// Returns once the worker has a snapshot other than `seen`, or the session may wait no longer.
asio::awaitable<void> wait_for_newer_snapshot(const worker_context& worker,
                                              const health::TopologyPtr& seen,
                                              std::chrono::steady_clock::time_point give_up) {
    asio::steady_timer pause(co_await asio::this_coro::executor);
    while (worker.topology == seen && may_wait_for_node(worker, give_up)) {
        pause.expires_after(node_wait_recheck);
        co_await pause.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    }
}

// Asks the router, and asks again with every new snapshot while the session may wait (up to
// limits.node_wait): during a switchover the leader is gone for a second or two, and a client
// that waits that long is better served than one that is refused. `stale`, if set, is a snapshot
// whose answer already failed (its node refused the connection): only a newer one is asked.
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

}  // namespace

asio::awaitable<void> run_session(tcp::socket client, const endpoint_config& endpoint,
                                  worker_context& worker) {
    const auto started = std::chrono::steady_clock::now();
    const auto& log = worker.log;
    session_label label{
        std::to_string(worker.worker_index) + "-" + std::to_string(++worker.next_session_id),
        endpoint, describe(client), "-", "-"};
    const auto endpoint_index = static_cast<std::size_t>(&endpoint - worker.cfg.endpoints.data());
    auto& counters = worker.metrics.endpoint(endpoint_index);

    // Set once the client negotiated TLS; from then on everything to and from it goes through.
    std::unique_ptr<tls_stream> client_tls;
    const auto tell_client = [&](std::string_view sqlstate, const std::string& message) {
        return send_fatal_to(client, client_tls.get(), sqlstate, message);
    };
    auto startup = co_await read_client_startup(
        client, client_tls, client_tls_offer(worker.tls, endpoint), worker.cfg.limits);
    if (auto* failure = std::get_if<client_startup_failure>(&startup)) {
        counters
            .rejections(failure->error ? session_rejection::startup_error
                                       : session_rejection::startup_abandoned)
            .add();
        log.warn(label.text() + " rejected during startup: " + failure->log_cause);
        if (failure->error) co_await tell_client(failure->error->sqlstate, failure->error->message);
        co_return;
    }
    auto& accepted = std::get<client_startup>(startup);
    if (const auto* cancel = std::get_if<protocol::cancel_request>(&accepted.request)) {
        counters.cancel_requests.add();
        co_await serve_cancel_request(worker, *cancel, label.text());
        co_return;
    }
    const auto& startup_message = std::get<protocol::startup_message>(accepted.request);
    label.user = startup_message.user;
    label.database = startup_message.database;
    if (endpoint.tls == client_tls_mode::require && !client_tls) {
        counters.rejections(session_rejection::startup_error).add();
        log.warn(label.text() + " refused: plaintext client on an endpoint that requires TLS");
        co_await send_fatal(client, sqlstate::invalid_authorization_specification,
                            "pgroute endpoint \"" + endpoint.name +
                                "\" requires TLS: connect with sslmode=require or stronger");
        co_return;
    }

    // Until the session has a node: route, connect; a node that refuses the connection (an old
    // leader stopping before the health loop has seen it) sends the session back to the router
    // for a newer snapshot, as long as it may still wait.
    const auto give_up = std::chrono::steady_clock::now() + worker.cfg.limits.node_wait;
    routing routed = co_await route_session(endpoint, endpoint_index, worker, give_up);
    tcp::socket server(client.get_executor());
    std::optional<session_registry::registration> registration;
    std::unique_ptr<tls_stream> server_tls;  // set when the node speaks TLS with pgroute
    for (;;) {
        if (!routed.decision.node) {
            counters.rejections(session_rejection::no_node).add();
            const std::string refusal =
                routed.decision.refusal +
                (routed.waiting_since
                     ? " (waited " + seconds_since(*routed.waiting_since) + " for one)"
                     : "");
            log.warn(label.text() + " refused: " + refusal);
            co_await tell_client(sqlstate::cannot_connect_now, "pgroute: " + refusal);
            co_return;
        }
        if (routed.waiting_since) {
            log.info(label.text() + " waited " + seconds_since(*routed.waiting_since) +
                     " for a node");
        }
        const auto& node = routed.topology->nodes[*routed.decision.node];
        label.node = node.address.name;
        const auto role = routed.decision.node == routed.topology->write_target
                              ? session_role::leader
                              : session_role::replica;
        registration.emplace(worker.sessions,
                             session_control{&endpoint, role, node.address.name, &server, &client,
                                             std::nullopt, false});
        const auto& control = registration->control();
        std::string why;  // the connection to the node failed: why
        if (const auto ec =
                co_await connect_to_node(server, node, worker.cfg.limits.connect_timeout)) {
            why = ec.message();
            if (!control.cut && may_wait_for_node(worker, give_up)) {
                log.info(label.text() + " could not connect: " + why + "; routing again");
                registration.reset();
                server = tcp::socket(client.get_executor());
                routed = co_await route_session(endpoint, endpoint_index, worker, give_up,
                                                routed.topology);
                continue;
            }
        }
        if (why.empty() && !control.cut && worker.tls.nodes) {
            why = co_await negotiate_node_tls(server, server_tls, *worker.tls.nodes,
                                              worker.cfg.server_tls.mode, node.address.host,
                                              worker.cfg.limits.connect_timeout);
        }
        if (why.empty() && !control.cut) break;
        if (control.cut) {
            worker.metrics.route(endpoint_index, node.address.name)
                .cuts_for(control.cut->reason)
                .add();
            why = control.cut->message;
        } else {
            counters.rejections(session_rejection::node_unreachable).add();
        }
        log.warn(label.text() + " could not connect: " + why);
        co_await tell_client(sqlstate::connection_failure,
                             "pgroute could not connect to node " + quoted(node.address.name) +
                                 " (" + node.address.host + ":" +
                                 std::to_string(node.address.port) + "): " + why);
        co_return;
    }
    const auto& node = routed.topology->nodes[*routed.decision.node];
    auto& control = registration->control();
    auto& route = worker.metrics.route(endpoint_index, node.address.name);
    // Failures here surface as errors on the first read or write of the relay.
    std::error_code ignored;
    server.set_option(tcp::no_delay(true), ignored);
    client.set_option(tcp::no_delay(true), ignored);
    server.non_blocking(true, ignored);
    client.non_blocking(true, ignored);
    log.info(label.text() + " start");
    const counted_open backend_count(route.backend_opened, route.backend_closed);

    const auto to_server = asio::buffer(accepted.packet);
    constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);
    // if/else, not ?:, around co_await: GCC 12 miscompiles co_await inside a conditional.
    std::error_code write_ec;
    if (server_tls) {
        std::tie(write_ec, std::ignore) =
            co_await asio::async_write(*server_tls, to_server, use_tuple);
    } else {
        std::tie(write_ec, std::ignore) = co_await asio::async_write(server, to_server, use_tuple);
    }
    relay_result result;
    if (write_ec) {
        result.end = relay_end::server_error;
        result.detail = write_ec.message();
    } else {
        cancel_key_swap cancel_key(worker.issued_cancel_keys, node.address);
        const auto relay_between = [&](auto& client_side, auto& server_side) {
            return relay(client_side, server_side, control, cancel_key, worker.buffers,
                         {worker.cfg.limits.max_message_length}, route);
        };
        if (client_tls && server_tls) {
            result = co_await relay_between(*client_tls, *server_tls);
        } else if (client_tls) {
            result = co_await relay_between(*client_tls, server);
        } else if (server_tls) {
            result = co_await relay_between(client, *server_tls);
        } else {
            result = co_await relay_between(client, server);
        }
    }
    if (result.end == relay_end::cut) route.cuts_for(control.cut->reason).add();
    if (auto error = closing_error_for(result, control)) {
        co_await tell_client(error->sqlstate, error->message);
    }
    std::string end = label.text() + " end duration=" + seconds_since(started) +
                      " bytes_in=" + std::to_string(result.bytes_from_client) +
                      " bytes_out=" + std::to_string(result.bytes_from_server) + " reason=\"" +
                      std::string(to_string(result.end));
    if (control.cut) end += ": " + std::string(to_string(control.cut->reason));
    if (!result.detail.empty()) end += ": " + result.detail;
    log.info(end + "\"");
    // The session is over (and no longer counted) while the socket waits for the client to close.
    if (result.end != relay_end::client_closed && result.end != relay_end::client_error) {
        client_tls.reset();  // it refers to the socket about to move
        asio::co_spawn(client.get_executor(),
                       close_after_last_word(std::move(client), last_word_linger), asio::detached);
    }
}

asio::awaitable<void> serve_cancel_request(const worker_context& worker,
                                           const protocol::cancel_request& request,
                                           const std::string& who) {
    const auto delivery = co_await forward_cancel(worker.issued_cancel_keys, request,
                                                  worker.cfg.limits.connect_timeout);
    // A dropped cancel is worth a warning: a forged or stale key, or a node gone away.
    if (delivery.delivered) {
        worker.log.info(who + " cancel request forwarded to " + delivery.detail);
    } else {
        worker.log.warn(who + " cancel request dropped: " + delivery.detail);
    }
}

}  // namespace pgroute::proxy
