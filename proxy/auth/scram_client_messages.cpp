#include "proxy/auth/scram_client_messages.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "protocol/sqlstate.h"
#include "proxy/auth/base64.h"
#include "proxy/auth/scram_attributes.h"

namespace pgroute::proxy::auth {

namespace {

namespace sqlstate = protocol::sqlstate;

bool is_printable(char c) {
    return c >= 0x21 && c <= 0x7e;
}

// A client's byte in an error message: itself quoted when printable, else in hex, so that an
// unauthenticated client cannot put arbitrary bytes into messages and logs.
std::string sanitize(char c) {
    char text[8];
    if (is_printable(c)) {
        std::snprintf(text, sizeof text, "'%c'", c);
    } else {
        std::snprintf(text, sizeof text, "0x%02x", static_cast<unsigned char>(c));
    }
    return text;
}

auth_error malformed(std::string detail) {
    return {sqlstate::protocol_violation, "malformed SCRAM message", std::move(detail)};
}

auth_error binding_missing() {
    return malformed(
        "The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include channel "
        "binding data.");
}

std::optional<auth_error> check_whole(std::string_view message) {
    if (message.empty()) return malformed("The message is empty.");
    if (message.find('\0') != std::string_view::npos)
        return malformed("Message length does not match input length.");
    return std::nullopt;
}

std::optional<auth_error> expect_comma(scram_cursor& cursor) {
    if (cursor.peek() != ',')
        return malformed("Comma expected, but found character \"" + sanitize(cursor.peek()) +
                         "\".");
    cursor.skip();
    return std::nullopt;
}

// read_attr_value: the value of attribute `name`, which must come next.
result<std::string_view> expect(scram_cursor& cursor, char name) {
    if (cursor.peek() != name)
        return malformed(std::string("Expected attribute \"") + name + "\" but found \"" +
                         sanitize(cursor.peek()) + "\".");
    if (cursor.peek(1) != '=')
        return malformed(std::string("Expected character \"=\" for attribute \"") + name + "\".");
    return cursor.take_value();
}

struct attribute {
    char name = 0;
    std::string_view value;
};

// read_any_attr: the next attribute, whichever it is.
result<attribute> next_attribute(scram_cursor& cursor) {
    const char name = cursor.peek();
    if (name == '\0') return malformed("Attribute expected, but found end of string.");
    if (!((name >= 'A' && name <= 'Z') || (name >= 'a' && name <= 'z')))
        return malformed("Attribute expected, but found invalid character \"" + sanitize(name) +
                         "\".");
    if (cursor.peek(1) != '=')
        return malformed(std::string("Expected character \"=\" for attribute \"") + name + "\".");
    return attribute{name, cursor.take_value()};
}

// gs2-cbind-flag and its comma, checked against the mechanism the client chose.
std::optional<auth_error> read_binding_flag(scram_cursor& cursor, const channel_binding& binding) {
    const char flag = cursor.peek();
    if (flag == 'n' || flag == 'y') {
        if (binding.selected) return binding_missing();
        if (flag == 'y' && binding.offered())
            return auth_error{sqlstate::invalid_authorization_specification,
                              "SCRAM channel binding negotiation error",
                              "The client supports SCRAM channel binding but thinks the server "
                              "does not.  However, this server does support channel binding."};
        cursor.skip();
        return expect_comma(cursor);
    }
    if (flag == 'p') {
        if (!binding.selected)
            return malformed(
                "The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message "
                "includes channel binding data.");
        const auto type = expect(cursor, 'p');
        if (!type) return type.error();
        if (*type != scram_binding_type)
            return auth_error{
                sqlstate::protocol_violation,
                "unsupported SCRAM channel-binding type \"" + sanitized(*type, 30) + "\""};
        return std::nullopt;
    }
    return malformed("Unexpected channel-binding flag \"" + sanitize(flag) + "\".");
}

// The c= attribute: base64 of the gs2 header again, and of the certificate hash when binding.
std::optional<auth_error> check_binding_data(std::string_view data, char binding_flag,
                                             const channel_binding& binding) {
    if (binding.selected) {
        std::string input = "p=" + std::string(scram_binding_type) + ",,";
        input.append(binding.certificate_hash.begin(), binding.certificate_hash.end());
        if (data != base64_encode(bytes_of(input)))
            return auth_error{sqlstate::invalid_authorization_specification,
                              "SCRAM channel binding check failed"};
        return std::nullopt;
    }
    // "biws" is "n,," and "eSws" is "y,,": the flag the client-first message had.
    if ((data == "biws" && binding_flag == 'n') || (data == "eSws" && binding_flag == 'y'))
        return std::nullopt;
    return auth_error{sqlstate::protocol_violation,
                      "unexpected SCRAM channel-binding attribute in client-final-message"};
}

}  // namespace

result<client_first_message> parse_client_first(std::string_view message,
                                                const channel_binding& binding) {
    if (auto error = check_whole(message)) return *error;
    scram_cursor cursor(message);
    client_first_message first;
    first.binding_flag = cursor.peek();
    if (auto error = read_binding_flag(cursor, binding)) return *error;
    if (cursor.peek() == 'a')
        return auth_error{sqlstate::feature_not_supported,
                          "client uses authorization identity, but it is not supported"};
    if (cursor.peek() != ',')
        return malformed("Unexpected attribute \"" + sanitize(cursor.peek()) +
                         "\" in client-first-message.");
    cursor.skip();
    first.bare = cursor.rest();
    if (cursor.peek() == 'm')
        return auth_error{sqlstate::feature_not_supported,
                          "client requires an unsupported SCRAM extension"};
    // The user name is ignored, as PostgreSQL does: the StartupMessage's is the one that counts.
    if (const auto user = expect(cursor, 'n'); !user) return user.error();
    const auto nonce = expect(cursor, 'r');
    if (!nonce) return nonce.error();
    if (!std::all_of(nonce->begin(), nonce->end(), is_printable))
        return auth_error{sqlstate::protocol_violation, "non-printable characters in SCRAM nonce"};
    first.nonce = *nonce;
    while (!cursor.at_end())
        if (const auto extension = next_attribute(cursor); !extension) return extension.error();
    return first;
}

result<client_final_message> parse_client_final(std::string_view message, char binding_flag,
                                                const channel_binding& binding) {
    if (auto error = check_whole(message)) return *error;
    scram_cursor cursor(message);
    const auto data = expect(cursor, 'c');
    if (!data) return data.error();
    if (auto error = check_binding_data(*data, binding_flag, binding)) return *error;
    const auto nonce = expect(cursor, 'r');
    if (!nonce) return nonce.error();

    // Extensions are skipped up to the proof, which must be last.
    std::size_t proof_at = 0;
    std::string_view proof_text;
    for (;;) {
        proof_at = cursor.offset();
        const auto next = next_attribute(cursor);
        if (!next) return next.error();
        if (next->name == 'p') {
            proof_text = next->value;
            break;
        }
    }
    const auto proof = base64_decode(proof_text);
    if (!proof || proof->size() != scram_key_length)
        return malformed("Malformed proof in client-final-message.");
    if (!cursor.at_end()) return malformed("Garbage found at the end of client-final-message.");

    client_final_message final_message;
    // Without the comma before "p=".
    final_message.without_proof = message.substr(0, proof_at - 1);
    final_message.nonce = *nonce;
    std::copy(proof->begin(), proof->end(), final_message.proof.begin());
    return final_message;
}

}  // namespace pgroute::proxy::auth
