#include "proxy/session/session_frames.h"

#include "protocol/backend_message.h"
#include "protocol/message_builder.h"
#include "protocol/message_type.h"
#include "protocol/sasl_mechanisms.h"

namespace pgroute::proxy {

namespace {

using protocol::frame_verdict;

std::string version_text(std::uint32_t version) {
    return std::to_string(version >> 16) + "." + std::to_string(version & 0xffff);
}

}  // namespace

void replay_tap::client(const protocol::frame_header& header, std::span<const char> body,
                        bool session_idle) {
    if (replay_ == nullptr) return;
    const bool was_pinned = replay_->pinned_by().has_value();
    const std::string_view bytes(body.data(), body.size());
    const bool whole = body.size() == header.body_size();
    replay_->from_client(header.type, bytes, whole);
    count_pin(was_pinned);
    // A pinned session does not move, so nothing of it runs elsewhere.
    retry_->from_client(header.type, bytes, whole, session_idle && !replay_->pinned_by());
}

void replay_tap::server(const protocol::frame_header& header, std::span<const char> body) {
    if (replay_ == nullptr) return;
    const bool was_pinned = replay_->pinned_by().has_value();
    replay_->from_server(header.type, std::string_view(body.data(), body.size()));
    count_pin(was_pinned);
    retry_->from_server();
}

bool replay_tap::ends_kept_statement(const protocol::frame_header& header,
                                     std::span<const char> body) const {
    return keeps_statement() && header.type == protocol::PqMsg_ErrorResponse &&
           body.size() == header.body_size() &&
           retry_->ends_kept_statement(std::string_view(body.data(), body.size()));
}

void replay_tap::count_pin(bool was_pinned) {
    if (!was_pinned && replay_->pinned_by()) pinned_.add();
}

bool client_frames::wants_body(char type) const {
    return replay_.wants_client_body(type);
}

frame_verdict client_frames::on_frame(const protocol::frame_header& header, std::span<char> body) {
    const bool was_idle = control_.idle && queries_.in_flight() == 0;
    control_.idle = false;
    control_.clients_turn = false;
    replay_.client(header, body, was_idle);
    control_.statement_kept = replay_.keeps_statement();
    sent_terminate_ = header.type == protocol::PqMsg_Terminate;
    if (starts_query_cycle(header.type)) queries_.cycle_sent(query_clock::clock::now());
    return frame_verdict::forward;
}

bool server_frames::wants_body(char type) const {
    return type == protocol::PqMsg_ReadyForQuery || type == protocol::PqMsg_BackendKeyData ||
           type == protocol::PqMsg_Authentication ||
           type == protocol::PqMsg_NegotiateProtocolVersion ||
           (type == protocol::PqMsg_ErrorResponse &&
            (clients_turn() || replay_.keeps_statement())) ||
           replay_.wants_server_body(type);
}

frame_verdict server_frames::on_frame(const protocol::frame_header& header, std::span<char> body) {
    if (!version_) {
        const frame_verdict settled = settle_version(header, body);
        if (header.type == protocol::PqMsg_NegotiateProtocolVersion) return settled;
    }
    const frame_verdict verdict = relay_frame(header, body);
    // pgroute's NegotiateProtocolVersion goes out before the node's first message.
    if (!answer_.empty() && verdict == frame_verdict::forward) return frame_verdict::hold;
    return verdict;
}

void server_frames::on_held() {
    if (answer_replaces_held_) {
        relay_.replace(relay_direction::to_client, std::move(answer_));
    } else {
        relay_.release(relay_direction::to_client, std::move(answer_));
    }
    answer_.clear();
}

// The node's first message settles the version: a NegotiateProtocolVersion names the node's,
// anything else means it took pgroute's offer. The client hears of it once, as a server would
// tell it: through the node's message as it is when that says all, or through pgroute's own,
// before the node's first message or in place of its NegotiateProtocolVersion (which cannot
// name the options pgroute kept from it).
frame_verdict server_frames::settle_version(const protocol::frame_header& header,
                                            std::span<char> body) {
    version_ = negotiation_.offered;
    const bool node_negotiates = header.type == protocol::PqMsg_NegotiateProtocolVersion;
    if (node_negotiates) {
        const std::string_view bytes(body.data(), body.size());
        const auto answer = body.size() == header.body_size()
                                ? protocol::parse_negotiate_protocol_version(bytes)
                                : std::nullopt;
        if (!answer) return refuse("malformed NegotiateProtocolVersion");
        if (answer->newest_version < protocol::protocol_version(3, 0) ||
            answer->newest_version > negotiation_.offered) {
            return refuse("NegotiateProtocolVersion to " + version_text(answer->newest_version) +
                          " in answer to a StartupMessage for " +
                          version_text(negotiation_.offered));
        }
        version_ = answer->newest_version;
        if (negotiation_.unsupported_options.empty()) return frame_verdict::forward;
    } else if (!negotiation_.answer_due()) {
        return frame_verdict::forward;
    }
    answer_ =
        protocol::build_negotiate_protocol_version(*version_, negotiation_.unsupported_options);
    answer_replaces_held_ = node_negotiates;
    return frame_verdict::hold;
}

frame_verdict server_frames::relay_frame(const protocol::frame_header& header,
                                         std::span<char> body) {
    // The FATAL that ends a statement to run again on another node is not the replay's to learn
    // from: the statement's cycle goes on there.
    retry_due_ = replay_.ends_kept_statement(header, body);
    if (!retry_due_) {
        replay_.server(header, body);
        control_.statement_kept = replay_.keeps_statement();
    }
    last_was_error_ = header.type == protocol::PqMsg_ErrorResponse;
    // Between its client's messages, idle or in a transaction, a session hears an error only as
    // its end (a FATAL): one bigger than the buffer, not shown whole, still streams through.
    if (retry_due_ || (last_was_error_ && clients_turn() && body.size() == header.body_size())) {
        held_error_ = protocol::message_builder(header.type)
                          .bytes(std::string_view(body.data(), body.size()))
                          .finish();
        return frame_verdict::stop_before;
    }
    if (header.type == protocol::PqMsg_BackendKeyData) {
        if (cancel_key_.replace(body, *version_)) return frame_verdict::forward;
        // Passed on, it would hand the client the node's own key, or one it cannot use.
        return refuse(header.body_size() < 4
                          ? "BackendKeyData without a process id"
                          : "BackendKeyData with a secret key of " +
                                std::to_string(header.body_size() - 4) + " bytes, which protocol " +
                                version_text(*version_) + " does not allow");
    }
    if (header.type == protocol::PqMsg_Authentication) {
        protocol::hide_channel_binding(body);
        return frame_verdict::forward;
    }
    if (header.type != protocol::PqMsg_ReadyForQuery) return frame_verdict::forward;
    const auto status = protocol::parse_ready_for_query(std::string_view(body.data(), body.size()));
    control_.idle = status == protocol::transaction_status::idle;
    control_.clients_turn = status.has_value();
    if (status) queries_.ready_for_query(*status, query_clock::clock::now());
    // A cut that waited for the session to be idle lands right after this ReadyForQuery, unless
    // the client has pipelined more queries whose answers are still to come.
    const bool cut_lands =
        control_.cut && control_.cut->when_idle && control_.idle && queries_.in_flight() == 0;
    return cut_lands ? frame_verdict::stop_after : frame_verdict::forward;
}

frame_verdict server_frames::refuse(std::string why) {
    violation_ = std::move(why);
    return frame_verdict::stop_before;
}

}  // namespace pgroute::proxy
