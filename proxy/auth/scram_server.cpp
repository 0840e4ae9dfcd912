#include "proxy/auth/scram_server.h"

#include "protocol/sqlstate.h"
#include "proxy/auth/base64.h"

namespace pgroute::proxy::auth {

std::vector<std::string_view> scram_mechanisms(const channel_binding& binding) {
    if (binding.offered()) return {scram_plus_mechanism, scram_mechanism};
    return {scram_mechanism};
}

result<channel_binding> choose_mechanism(std::string_view mechanism, channel_binding binding) {
    // PLUS is a protocol violation like any unknown name when it was not offered.
    if (mechanism == scram_plus_mechanism && binding.offered()) {
        binding.selected = true;
        return binding;
    }
    if (mechanism == scram_mechanism) {
        binding.selected = false;
        return binding;
    }
    return auth_error{protocol::sqlstate::protocol_violation,
                      "client selected an invalid SASL authentication mechanism"};
}

result<scram_challenge> scram_challenge::accept(std::string_view client_first,
                                                scram_exchange exchange) {
    const auto first = parse_client_first(client_first, exchange.binding);
    if (!first) return first.error();
    scram_challenge challenge;
    challenge.binding_flag_ = first->binding_flag;
    challenge.client_first_bare_ = first->bare;
    challenge.combined_nonce_ = std::string(first->nonce) + exchange.server_nonce;
    challenge.server_first_ = "r=" + challenge.combined_nonce_ +
                              ",s=" + base64_encode(exchange.secret.secret.salt) +
                              ",i=" + std::to_string(exchange.secret.secret.iterations);
    challenge.exchange_ = std::move(exchange);
    return challenge;
}

result<scram_verified> scram_challenge::verify(std::string_view client_final) const {
    const auto final_message = parse_client_final(client_final, binding_flag_, exchange_.binding);
    if (!final_message) return final_message.error();
    if (final_message->nonce != combined_nonce_)
        return auth_error{protocol::sqlstate::protocol_violation, "invalid SCRAM response",
                          "Nonce does not match."};

    const std::string auth_message =
        client_first_bare_ + "," + server_first_ + "," + std::string(final_message->without_proof);
    const scram_secret& secret = exchange_.secret.secret;
    const scram_key client_signature = hmac_sha256(secret.stored_key, auth_message);
    const scram_key client_key = xor_keys(final_message->proof, client_signature);
    // Checked even when doomed, so that an unknown user costs the same time as a known one.
    const bool proven = equal_in_constant_time(sha256(client_key), secret.stored_key);
    if (!proven || exchange_.secret.doomed) return password_failed(exchange_.user);

    const scram_key server_signature = hmac_sha256(secret.server_key, auth_message);
    return scram_verified{"v=" + base64_encode(server_signature), client_key};
}

}  // namespace pgroute::proxy::auth
