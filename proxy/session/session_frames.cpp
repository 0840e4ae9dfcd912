#include "proxy/session/session_frames.h"

#include "protocol/backend_message.h"
#include "protocol/message_type.h"
#include "protocol/sasl_mechanisms.h"

namespace pgroute::proxy {

using protocol::frame_verdict;

frame_verdict client_frames::on_frame(const protocol::frame_header& header, std::span<char>) {
    control_.idle = false;
    sent_terminate_ = header.type == protocol::PqMsg_Terminate;
    if (starts_query_cycle(header.type)) queries_.cycle_sent(query_clock::clock::now());
    return frame_verdict::forward;
}

bool server_frames::wants_body(char type) const {
    return type == protocol::PqMsg_ReadyForQuery || type == protocol::PqMsg_BackendKeyData ||
           type == protocol::PqMsg_Authentication;
}

frame_verdict server_frames::on_frame(const protocol::frame_header& header, std::span<char> body) {
    last_was_error_ = header.type == protocol::PqMsg_ErrorResponse;
    if (header.type == protocol::PqMsg_BackendKeyData) {
        cancel_key_.replace(body);
        return frame_verdict::forward;
    }
    if (header.type == protocol::PqMsg_Authentication) {
        protocol::hide_channel_binding(body);
        return frame_verdict::forward;
    }
    if (header.type != protocol::PqMsg_ReadyForQuery) return frame_verdict::forward;
    const auto status = protocol::parse_ready_for_query(std::string_view(body.data(), body.size()));
    control_.idle = status == protocol::transaction_status::idle;
    if (status) queries_.ready_for_query(*status, query_clock::clock::now());
    // A cut that waited for the session to be idle lands right after this ReadyForQuery, unless
    // the client has pipelined more queries whose answers are still to come.
    const bool cut_lands =
        control_.cut && control_.cut->when_idle && control_.idle && queries_.in_flight() == 0;
    return cut_lands ? frame_verdict::stop_after : frame_verdict::forward;
}

}  // namespace pgroute::proxy
