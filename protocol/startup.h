// The untyped packets a client may open a connection with: StartupMessage, SSLRequest,
// GSSENCRequest and CancelRequest (protocol chapter 55.7).
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "protocol/parse_error.h"

namespace pgroute::protocol {

struct ssl_request {};
struct gssenc_request {};

// A cancel key's secret: 4 bytes before protocol 3.2, up to 256 from it (see cancel_key.h).
inline constexpr std::size_t min_secret_length = 4;
inline constexpr std::size_t max_secret_length = 256;

struct cancel_request {
    std::uint32_t process_id = 0;
    std::string_view secret_key;  // min_secret_length to max_secret_length bytes
    bool from_peer = false;       // sent on by another pgroute (peer_cancel_request_code)
};

struct startup_message {
    std::uint32_t version = 0;
    std::vector<std::pair<std::string_view, std::string_view>> parameters;  // as sent, in order
    std::string_view user;
    std::string_view database;  // defaults to user, as the server does
    std::string_view application_name;
    std::string_view replication;

    [[nodiscard]] std::uint32_t major() const { return version >> 16; }
    [[nodiscard]] std::uint32_t minor() const { return version & 0xffff; }
};

using startup_packet = std::variant<startup_message, ssl_request, gssenc_request, cancel_request>;

// Checks the int32 length that opens every startup packet (it counts itself). Returns an error
// for anything shorter than length + code, or longer than max_length.
[[nodiscard]] std::variant<std::monostate, parse_error> check_startup_length(
    std::uint32_t length, std::uint32_t max_length);

// Parses the packet that follows the length field (starting at the int32 code). The returned
// views point into `body`, which must outlive them.
[[nodiscard]] std::variant<startup_packet, parse_error> parse_startup_packet(std::string_view body);

}  // namespace pgroute::protocol
