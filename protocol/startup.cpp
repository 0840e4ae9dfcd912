#include "protocol/startup.h"

#include <string>

#include "protocol/byte_reader.h"
#include "protocol/message_type.h"
#include "protocol/sqlstate.h"

namespace pgroute::protocol {

namespace {

parse_error violation(std::string message) {
    return {sqlstate::protocol_violation, std::move(message)};
}

std::variant<startup_packet, parse_error> parse_startup_message(std::uint32_t version,
                                                                std::string_view payload) {
    if (version >> 16 != 3) {
        return parse_error{sqlstate::feature_not_supported,
                           "unsupported frontend protocol " + std::to_string(version >> 16) + "." +
                               std::to_string(version & 0xffff) + ": server supports 3.0 to 3.2"};
    }
    if (payload.empty() || payload.back() != '\0') {
        return violation("invalid startup packet layout: expected terminator as last byte");
    }
    startup_message msg;
    msg.version = version;
    byte_reader reader(payload.substr(0, payload.size() - 1));
    while (!reader.at_end()) {
        const auto name = reader.cstring();
        const auto value = reader.cstring();
        if (reader.failed()) {
            return violation("invalid startup packet layout: parameter without a value");
        }
        if (name.empty()) {
            return violation("invalid startup packet layout: empty parameter name");
        }
        if (name == "user") msg.user = value;
        if (name == "database") msg.database = value;
        if (name == "application_name") msg.application_name = value;
        if (name == "replication") msg.replication = value;
        msg.parameters.emplace_back(name, value);
    }
    if (msg.user.empty()) {
        return parse_error{sqlstate::invalid_authorization_specification,
                           "no PostgreSQL user name specified in startup packet"};
    }
    if (msg.database.empty()) msg.database = msg.user;
    return startup_packet{std::move(msg)};
}

}  // namespace

std::variant<std::monostate, parse_error> check_startup_length(std::uint32_t length,
                                                               std::uint32_t max_length) {
    // Like PostgreSQL, the ceiling applies to the packet without its own length word.
    if (length < 8 || length - 4 > max_length) {
        return violation("invalid length of startup packet");
    }
    return std::monostate{};
}

std::variant<startup_packet, parse_error> parse_startup_packet(std::string_view body) {
    byte_reader reader(body);
    const auto code = reader.u32();
    if (reader.failed()) return violation("invalid length of startup packet");
    switch (code) {
        case negotiate_ssl_code:
        case negotiate_gss_code:
            if (!reader.at_end()) return violation("invalid length of encryption request packet");
            if (code == negotiate_ssl_code) return startup_packet{ssl_request{}};
            return startup_packet{gssenc_request{}};
        case cancel_request_code:
        case peer_cancel_request_code: {
            cancel_request cancel;
            cancel.from_peer = code == peer_cancel_request_code;
            cancel.process_id = reader.u32();
            cancel.secret_key = reader.rest();
            if (reader.failed() || cancel.secret_key.size() < min_secret_length ||
                cancel.secret_key.size() > max_secret_length) {
                return violation("invalid length of cancel request packet");
            }
            return startup_packet{cancel};
        }
        default:
            return parse_startup_message(code, reader.rest());
    }
}

}  // namespace pgroute::protocol
