#include "protocol/authentication.h"

#include "protocol/byte_reader.h"
#include "protocol/message_builder.h"
#include "protocol/message_type.h"

namespace pgroute::protocol {

namespace {

std::string build_request(authentication_code code, std::string_view data = {}) {
    return message_builder(PqMsg_Authentication)
        .u32(static_cast<std::uint32_t>(code))
        .bytes(data)
        .finish();
}

}  // namespace

std::optional<authentication_request> parse_authentication(std::string_view body) {
    byte_reader in(body);
    authentication_request request;
    request.code = in.u32();
    if (in.failed()) return std::nullopt;
    switch (static_cast<authentication_code>(request.code)) {
        case authentication_code::ok:
        case authentication_code::cleartext_password:
            break;
        case authentication_code::md5_password: {
            const std::string_view salt = in.bytes(request.salt.size());
            if (in.failed()) return std::nullopt;
            for (std::size_t i = 0; i < salt.size(); ++i)
                request.salt[i] = static_cast<std::uint8_t>(salt[i]);
            break;
        }
        case authentication_code::sasl:
            // Names, each NUL-terminated, then an empty one.
            for (;;) {
                const std::string_view name = in.cstring();
                if (in.failed()) return std::nullopt;
                if (name.empty()) break;
                request.mechanisms.push_back(name);
            }
            break;
        case authentication_code::sasl_continue:
        case authentication_code::sasl_final:
            request.data = in.rest();
            break;
        default:
            return request;  // its layout is not pgroute's business
    }
    if (!in.at_end()) return std::nullopt;
    return request;
}

std::string build_authentication_ok() {
    return build_request(authentication_code::ok);
}

std::string build_authentication_md5(const std::array<std::uint8_t, 4>& salt) {
    return build_request(authentication_code::md5_password,
                         std::string_view(reinterpret_cast<const char*>(salt.data()), salt.size()));
}

std::string build_authentication_sasl(const std::vector<std::string_view>& mechanisms) {
    message_builder out(PqMsg_Authentication);
    out.u32(static_cast<std::uint32_t>(authentication_code::sasl));
    for (const std::string_view name : mechanisms)
        out.cstring(name);
    out.u8(0);
    return out.finish();
}

std::string build_authentication_sasl_continue(std::string_view data) {
    return build_request(authentication_code::sasl_continue, data);
}

std::string build_authentication_sasl_final(std::string_view data) {
    return build_request(authentication_code::sasl_final, data);
}

std::optional<sasl_initial_response> parse_sasl_initial_response(std::string_view body) {
    byte_reader in(body);
    sasl_initial_response response;
    response.mechanism = in.cstring();
    const std::int32_t length = in.i32();
    if (in.failed() || length < -1) return std::nullopt;
    if (length >= 0) response.data = in.bytes(static_cast<std::size_t>(length));
    if (!in.at_end()) return std::nullopt;
    return response;
}

std::optional<std::string_view> parse_password_message(std::string_view body) {
    byte_reader in(body);
    const std::string_view password = in.cstring();
    if (!in.at_end()) return std::nullopt;
    return password;
}

std::string build_sasl_initial_response(std::string_view mechanism, std::string_view data) {
    return message_builder(PqMsg_PasswordMessage)
        .cstring(mechanism)
        .u32(static_cast<std::uint32_t>(data.size()))
        .bytes(data)
        .finish();
}

std::string build_sasl_response(std::string_view data) {
    return message_builder(PqMsg_PasswordMessage).bytes(data).finish();
}

std::string build_password_message(std::string_view password) {
    return message_builder(PqMsg_PasswordMessage).cstring(password).finish();
}

}  // namespace pgroute::protocol
