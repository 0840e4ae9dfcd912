#include "protocol/startup_answer.h"

#include "protocol/byte_reader.h"
#include "protocol/message_type.h"
#include "protocol/sqlstate.h"

namespace pgroute::protocol {

std::optional<parsed_error> cannot_connect_now_answer(std::string_view answer) {
    byte_reader reader(answer);
    if (reader.u8() != static_cast<std::uint8_t>(PqMsg_ErrorResponse)) return std::nullopt;
    const std::uint32_t length = reader.u32();
    if (reader.failed() || length < 4) return std::nullopt;
    const std::string_view body = reader.bytes(length - 4);
    if (reader.failed()) return std::nullopt;
    auto error = parse_error_response(body);
    if (!error || error->sqlstate != sqlstate::cannot_connect_now) return std::nullopt;
    return error;
}

}  // namespace pgroute::protocol
