#include "proxy/auth/scram_login.h"

#include <charconv>

#include "protocol/sqlstate.h"
#include "proxy/auth/base64.h"
#include "proxy/auth/scram_attributes.h"
#include "proxy/auth/scram_server.h"

namespace pgroute::proxy::auth {

namespace {

auth_error login_error(std::string message) {
    return {protocol::sqlstate::connection_failure, std::move(message)};
}

// libpq's read_attr_value, with its texts.
result<std::string_view> expect(scram_cursor& cursor, char name) {
    if (cursor.peek() != name)
        return login_error(std::string("malformed SCRAM message (attribute \"") + name +
                           "\" expected)");
    if (cursor.peek(1) != '=')
        return login_error(
            std::string("malformed SCRAM message (expected character \"=\" for attribute \"") +
            name + "\")");
    return cursor.take_value();
}

std::optional<int> parse_iterations(std::string_view text) {
    int iterations = 0;
    const auto* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, iterations);
    if (text.empty() || error != std::errc{} || stop != end || iterations < 1) return std::nullopt;
    return iterations;
}

}  // namespace

scram_login::scram_login(scram_credentials credentials)
    : credentials_(std::move(credentials)),
      gs2_header_(credentials_.node_certificate_hash.empty()
                      ? "n,,"
                      : "p=" + std::string(scram_binding_type) + ",,"),
      // The user name is left empty, as libpq does: the node takes the StartupMessage's.
      client_first_(gs2_header_ + "n=,r=" + credentials_.client_nonce) {}

std::string_view scram_login::mechanism() const {
    return credentials_.node_certificate_hash.empty() ? scram_mechanism : scram_plus_mechanism;
}

result<scram_login_proof> scram_login::answer(std::string_view server_first) const {
    scram_cursor cursor(server_first);
    const auto nonce = expect(cursor, 'r');
    if (!nonce) return nonce.error();
    if (!nonce->starts_with(credentials_.client_nonce))
        return login_error("invalid SCRAM response (nonce mismatch)");
    const auto salt_text = expect(cursor, 's');
    if (!salt_text) return salt_text.error();
    const auto salt = base64_decode(*salt_text);
    if (!salt) return login_error("malformed SCRAM message (invalid salt)");
    const auto iterations_text = expect(cursor, 'i');
    if (!iterations_text) return iterations_text.error();
    const auto iterations = parse_iterations(*iterations_text);
    if (!iterations) return login_error("malformed SCRAM message (invalid iteration count)");
    if (!cursor.at_end())
        return login_error("malformed SCRAM message (garbage at end of server-first-message)");

    const scram_secret& secret = credentials_.secret;
    if (*salt != secret.salt || *iterations != secret.iterations)
        return login_error("the node's SCRAM secret for user \"" + credentials_.user +
                           "\" differs from pgroute's (salt or iteration count): the password was "
                           "changed on the node, or pgroute's copy is stale");

    std::string binding_input = gs2_header_;
    binding_input.append(credentials_.node_certificate_hash.begin(),
                         credentials_.node_certificate_hash.end());
    const std::string without_proof =
        "c=" + base64_encode(bytes_of(binding_input)) + ",r=" + std::string(*nonce);
    const std::string_view client_first_bare =
        std::string_view(client_first_).substr(gs2_header_.size());
    const std::string auth_message =
        std::string(client_first_bare) + "," + std::string(server_first) + "," + without_proof;
    const scram_key proof =
        xor_keys(credentials_.client_key, hmac_sha256(secret.stored_key, auth_message));
    return scram_login_proof(without_proof + ",p=" + base64_encode(proof),
                             hmac_sha256(secret.server_key, auth_message));
}

std::optional<auth_error> scram_login_proof::check_server_final(
    std::string_view server_final) const {
    scram_cursor cursor(server_final);
    if (cursor.peek() == 'e') {
        const auto error = expect(cursor, 'e');
        if (!error) return error.error();
        return login_error("error received from server in SCRAM exchange: " +
                           sanitized(*error, 64));
    }
    const auto signature_text = expect(cursor, 'v');
    if (!signature_text) return signature_text.error();
    if (!cursor.at_end())
        return login_error("malformed SCRAM message (garbage at end of server-final-message)");
    const auto signature = base64_decode(*signature_text);
    if (!signature || signature->size() != scram_key_length)
        return login_error("malformed SCRAM message (invalid server signature)");
    if (!equal_in_constant_time(*signature, server_signature_))
        return login_error("incorrect server signature");
    return std::nullopt;
}

}  // namespace pgroute::proxy::auth
