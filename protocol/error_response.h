// ErrorResponse and NoticeResponse: the only way pgroute speaks to a client on its own, so
// every failure reaches it as a PostgreSQL error with a SQLSTATE rather than a bare reset.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "protocol/message_type.h"

namespace pgroute::protocol {

namespace severity {
inline constexpr std::string_view error = "ERROR";
inline constexpr std::string_view fatal = "FATAL";
inline constexpr std::string_view warning = "WARNING";
inline constexpr std::string_view notice = "NOTICE";
}  // namespace severity

struct error_fields {
    std::string_view severity;
    std::string_view sqlstate;
    std::string_view message;
    std::string_view detail = {};
    std::string_view hint = {};
};

// Builds an ErrorResponse ('E') or NoticeResponse ('N') frame.
[[nodiscard]] std::string build_error_response(const error_fields& fields,
                                               char type = PqMsg_ErrorResponse);

// The fields of a received ErrorResponse/NoticeResponse body, owning their text.
struct parsed_error {
    std::string severity;  // the non-localized 'V' field when present, else 'S'
    std::string sqlstate;
    std::string message;
    std::string detail;
    std::string hint;
};

// Parses a body; nullopt when the field list is not NUL-terminated properly.
[[nodiscard]] std::optional<parsed_error> parse_error_response(std::string_view body);

}  // namespace pgroute::protocol
