// Proxy mode: a session moves to another node between two of its client's messages. What moves
// with it: the StartupMessage's parameters (replayed), the login (the credentials its client's
// authentication left), its cancel key, the settings its client changed and its named prepared
// statements (session_replay.h, which also says what pins it instead).
#include <asio/steady_timer.hpp>

#include "protocol/error_response.h"
#include "protocol/frame_scanner.h"
#include "protocol/message_type.h"
#include "protocol/sqlstate.h"
#include "proxy/session/message_stream.h"
#include "proxy/session/session_phases.h"

namespace pgroute::proxy {

namespace {

using asio::ip::tcp;

// ParameterStatus and BackendKeyData are short; a greeting has a few dozen of them.
constexpr std::size_t max_greeting_message = 8192;

// After the node's AuthenticationOk: its ParameterStatus messages (the client has its own from
// the first node), its BackendKeyData (the client's key now cancels there), its ReadyForQuery.
asio::awaitable<std::string> take_greeting(session_state& s, const health::node_view& node,
                                           cancel_key_swap& cancel_key) {
    message_stream from_node(s.server, s.server_tls.get());
    asio::steady_timer deadline(s.server.get_executor(), s.cfg().limits.connect_timeout);
    for (;;) {
        received_message message;
        if (auto ec = co_await from_node.read(message, max_greeting_message, deadline)) {
            co_return "the node's greeting ended: " + ec.message();
        }
        switch (message.type) {
            case protocol::PqMsg_ParameterStatus:
            case protocol::PqMsg_NoticeResponse:
                continue;
            case protocol::PqMsg_BackendKeyData:
                if (!cancel_key.retarget(node.address, message.body, s.negotiation.offered)) {
                    co_return "the node sent a BackendKeyData the client's key cannot stand for";
                }
                continue;
            case protocol::PqMsg_ReadyForQuery:
                co_return std::string();
            case protocol::PqMsg_ErrorResponse: {
                const auto error = protocol::parse_error_response(message.body);
                co_return "the node refused: " + (error ? error->message : "(malformed)");
            }
            default:
                co_return "the node sent message type " +
                    std::to_string(static_cast<unsigned char>(message.type)) + " in its greeting";
        }
    }
}

// The settings and prepared statements the session had on its old node, sent to the new one
// before the client's next message; their answers are not the client's (it had them from the old
// node), an error among them fails the move.
asio::awaitable<std::string> rebuild_state(session_state& s) {
    const std::string messages = s.replay->rebuild_messages();
    if (messages.empty()) co_return std::string();
    message_stream to_node(s.server, s.server_tls.get());
    if (auto ec = co_await to_node.write(messages)) {
        co_return "could not replay the session's settings: " + ec.message();
    }
    asio::steady_timer deadline(s.server.get_executor(), s.cfg().limits.connect_timeout);
    std::string failed;
    for (std::size_t cycles = s.replay->rebuild_cycles(); cycles > 0;) {
        received_message message;
        if (auto ec = co_await to_node.read(message, s.cfg().limits.max_message_length, deadline)) {
            co_return "replaying the session's settings: " + ec.message();
        }
        if (message.type == protocol::PqMsg_ReadyForQuery) {
            --cycles;
        } else if (message.type == protocol::PqMsg_ErrorResponse && failed.empty()) {
            const auto error = protocol::parse_error_response(message.body);
            failed = "the node refused the session's settings or prepared statements: " +
                     (error ? error->message : "(malformed)");
        }
    }
    co_return failed;
}

}  // namespace

void explain_lost_session(session_control& control, server_frames& from_server,
                          const std::string& why) {
    const std::string addition = "; pgroute could not move the session to another node: " + why;
    // The node's FATAL, when it spoke, is what the client hears, even if a cut was ordered too.
    std::string& held = from_server.held_error();
    if (held.size() <= protocol::frame_header_size) {
        if (control.cut) control.cut->message += addition;
        return;
    }
    auto error =
        protocol::parse_error_response(std::string_view(held).substr(protocol::frame_header_size));
    if (!error) return;
    error->message += addition;
    held = protocol::build_error_response(
        {protocol::severity::fatal, error->sqlstate, error->message, error->detail, error->hint});
}

std::optional<move_reason> move_cause(const session_state& s, const relay_result& result,
                                      const session_control& control, server_frames& from_server) {
    if (!s.credentials || s.pinned_by() || !(from_server.idle() || from_server.retry_due()) ||
        !result.client_input_intact || !result.client_at_frame_boundary) {
        return std::nullopt;
    }
    if (result.end == relay_end::cut) {
        switch (control.cut->reason) {
            case cut_reason::leader_changed:
                return move_reason::leader_changed;
            case cut_reason::no_write_target:
                return move_reason::no_write_target;
            case cut_reason::node_promoted:
                return move_reason::node_promoted;
            case cut_reason::node_lost:
                return move_reason::node_lost;
            case cut_reason::replica_lagging:
                return move_reason::replica_lagging;
            case cut_reason::drained:
                return move_reason::drained;
            case cut_reason::shutdown:
                return std::nullopt;
        }
    }
    const std::string& held = from_server.held_error();
    if (held.size() <= protocol::frame_header_size) return std::nullopt;
    const auto error =
        protocol::parse_error_response(std::string_view(held).substr(protocol::frame_header_size));
    if (error && (error->sqlstate == protocol::sqlstate::admin_shutdown ||
                  error->sqlstate == protocol::sqlstate::crash_shutdown)) {
        return move_reason::node_shutdown;
    }
    return std::nullopt;
}

asio::awaitable<std::string> move_session(session_state& s, cancel_key_swap& cancel_key) {
    auto& worker = s.worker;
    auto& control = s.registration->control();
    const auto give_up = std::chrono::steady_clock::now() + s.cfg().limits.hold_timeout;
    for (;;) {
        s.server_tls.reset();
        std::error_code ignored;
        s.server.close(ignored);
        s.server = tcp::socket(s.client.get_executor());
        s.routed = co_await route_session(s.endpoint, s.endpoint_index, worker.topology,
                                          worker.sessions, give_up, s.routed.topology);
        if (!s.routed.decision.node) co_return "no node to go to: " + s.routed.decision.refusal;
        const auto& node = s.routed.topology->nodes[*s.routed.decision.node];
        // Listed under its new node from here, so that the next snapshot judges it there.
        control.node_name = node.address.name;
        control.role = s.routed.decision.node == s.routed.topology->write_target
                           ? session_role::leader
                           : session_role::replica;
        control.cut.reset();
        s.label.node = node.address.name;
        // Plain statements around co_await: GCC 12 miscompiles some expressions holding one.
        const node_connection opened = co_await open_node_connection(s, node);
        std::string why = opened.failed;
        if (why.empty() && !control.cut) why = co_await replay_startup(s, true);
        if (why.empty() && !control.cut) {
            const node_login login = co_await log_into_node(s, false);
            why = login.failed;
        }
        if (why.empty() && !control.cut) why = co_await take_greeting(s, node, cancel_key);
        if (why.empty() && !control.cut) why = co_await rebuild_state(s);
        if (why.empty() && !control.cut) co_return std::string();
        if (control.cut) why = control.cut->message;
        if (!worker.topology.may_wait(give_up)) co_return why;
        worker.log.info(s.label.text() + " could not move there: " + why + "; routing again");
    }
}

asio::awaitable<std::string> run_statement_again(session_state& s, std::string_view ended_on) {
    auto& control = s.registration->control();
    if (control.node_name == ended_on) {
        co_return "node " + quoted(ended_on) +
            ", which ended its statement, serves the endpoint again (a statement is not run twice "
            "on one node)";
    }
    message_stream to_node(s.server, s.server_tls.get());
    if (auto ec = co_await to_node.write(s.retry->take())) {
        co_return "could not send its statement again: " + ec.message();
    }
    // Its answer is due: the session is not idle until the node's ReadyForQuery.
    control.idle = false;
    co_return std::string();
}

}  // namespace pgroute::proxy
