#include "protocol/error_response.h"

#include "protocol/byte_reader.h"
#include "protocol/message_builder.h"

namespace pgroute::protocol {

namespace {

// A NUL would end the field early and corrupt the frame; text from elsewhere (a node's JSON,
// an OS error) is cut at the first one instead.
std::string_view up_to_nul(std::string_view text) {
    return text.substr(0, text.find('\0'));
}

}  // namespace

std::string build_error_response(const error_fields& fields, char type) {
    message_builder msg(type);
    msg.u8('S').cstring(up_to_nul(fields.severity));
    msg.u8('V').cstring(up_to_nul(fields.severity));
    msg.u8('C').cstring(up_to_nul(fields.sqlstate));
    msg.u8('M').cstring(up_to_nul(fields.message));
    if (!fields.detail.empty()) msg.u8('D').cstring(up_to_nul(fields.detail));
    if (!fields.hint.empty()) msg.u8('H').cstring(up_to_nul(fields.hint));
    msg.u8(0);
    return msg.finish();
}

std::optional<parsed_error> parse_error_response(std::string_view body) {
    parsed_error out;
    byte_reader reader(body);
    for (;;) {
        const auto code = reader.u8();
        if (reader.failed()) return std::nullopt;
        if (code == 0) break;
        const auto value = reader.cstring();
        if (reader.failed()) return std::nullopt;
        switch (code) {
            case 'S':
                if (out.severity.empty()) out.severity = value;
                break;
            case 'V':
                out.severity = value;
                break;
            case 'C':
                out.sqlstate = value;
                break;
            case 'M':
                out.message = value;
                break;
            case 'D':
                out.detail = value;
                break;
            case 'H':
                out.hint = value;
                break;
            default:
                break;  // other fields (position, file, line, ...) are not ours to interpret
        }
    }
    if (!reader.at_end()) return std::nullopt;
    return out;
}

}  // namespace pgroute::protocol
