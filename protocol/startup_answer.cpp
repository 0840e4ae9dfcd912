#include "protocol/startup_answer.h"

#include "protocol/byte_reader.h"
#include "protocol/message_type.h"
#include "protocol/sqlstate.h"

namespace pgroute::protocol {

std::optional<parsed_error> cannot_connect_now_answer(std::string_view answer) {
    byte_reader reader(answer);
    std::uint8_t type = reader.u8();
    std::uint32_t length = reader.u32();
    // A server refuses only after it has negotiated the protocol version.
    if (type == static_cast<std::uint8_t>(PqMsg_NegotiateProtocolVersion) && length >= 4) {
        static_cast<void>(reader.bytes(length - 4));
        type = reader.u8();
        length = reader.u32();
    }
    if (type != static_cast<std::uint8_t>(PqMsg_ErrorResponse)) return std::nullopt;
    if (reader.failed() || length < 4) return std::nullopt;
    const std::string_view body = reader.bytes(length - 4);
    if (reader.failed()) return std::nullopt;
    auto error = parse_error_response(body);
    if (!error || error->sqlstate != sqlstate::cannot_connect_now) return std::nullopt;
    return error;
}

}  // namespace pgroute::protocol
