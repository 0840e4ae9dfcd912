// The authentication exchange's messages, both ways (protocol chapter 55.3 and 55.7): the
// Authentication requests a server sends ('R' with an int32 code), and what a client answers in
// 'p' frames: a PasswordMessage, or for SASL the SASLInitialResponse (mechanism, then an int32
// length and the data; -1 for none) and SASLResponse (the data alone). The same 'p' type carries
// all three, so only the exchange's state tells which one a body is.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pgroute::protocol {

enum class authentication_code : std::uint32_t {
    ok = 0,
    cleartext_password = 3,
    md5_password = 5,
    sasl = 10,
    sasl_continue = 11,
    sasl_final = 12,
};

// A server's Authentication request, parsed: views into the body.
struct authentication_request {
    std::uint32_t code = 0;  // an authentication_code, or one pgroute does not speak
    std::vector<std::string_view> mechanisms;  // sasl
    std::string_view data;                     // sasl_continue, sasl_final
    std::array<std::uint8_t, 4> salt{};        // md5_password
};

// None for a body that does not match its code's layout exactly. Codes pgroute does not speak
// (Kerberos, GSS, SSPI) parse with their code and nothing else.
[[nodiscard]] std::optional<authentication_request> parse_authentication(std::string_view body);

// Complete 'R' messages, as a server sends them.
[[nodiscard]] std::string build_authentication_ok();
[[nodiscard]] std::string build_authentication_md5(const std::array<std::uint8_t, 4>& salt);
[[nodiscard]] std::string build_authentication_sasl(
    const std::vector<std::string_view>& mechanisms);
[[nodiscard]] std::string build_authentication_sasl_continue(std::string_view data);
[[nodiscard]] std::string build_authentication_sasl_final(std::string_view data);

struct sasl_initial_response {
    std::string_view mechanism;
    std::optional<std::string_view> data;  // absent when the length is -1
};

// None unless the body is a mechanism name, an int32 length (-1 or a count) and exactly that
// many bytes.
[[nodiscard]] std::optional<sasl_initial_response> parse_sasl_initial_response(
    std::string_view body);
// A PasswordMessage's password: None unless it is one NUL-terminated string that fills the body.
[[nodiscard]] std::optional<std::string_view> parse_password_message(std::string_view body);

// Complete 'p' messages, as a client sends them.
[[nodiscard]] std::string build_sasl_initial_response(std::string_view mechanism,
                                                      std::string_view data);
[[nodiscard]] std::string build_sasl_response(std::string_view data);
[[nodiscard]] std::string build_password_message(std::string_view password);

}  // namespace pgroute::protocol
