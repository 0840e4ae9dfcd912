#include "proxy/session/node_login_exchange.h"

#include <algorithm>
#include <string_view>

#include "proxy/auth/md5_auth.h"
#include "proxy/auth/scram_attributes.h"

namespace pgroute::proxy {

using protocol::authentication_code;

login_step node_exchange::answer(const protocol::authentication_request& request) {
    switch (static_cast<authentication_code>(request.code)) {
        case authentication_code::md5_password:
            if (!credentials_.verifier.md5)
                return fail("asks for md5, and pgroute has no md5 hash for the user");
            return {protocol::build_password_message(
                        auth::md5_response(*credentials_.verifier.md5, request.salt)),
                    {}};
        case authentication_code::sasl:
            return start_scram(request);
        case authentication_code::sasl_continue: {
            if (!scram_ || proof_) return fail("sent SASLContinue out of turn");
            auto proof = scram_->answer(request.data);
            if (!proof)
                return fail("sent a SCRAM challenge pgroute cannot answer: " +
                            proof.error().message);
            proof_.emplace(std::move(proof).value());
            return {protocol::build_sasl_response(proof_->client_final()), {}};
        }
        case authentication_code::sasl_final:
            if (!proof_) return fail("sent SASLFinal out of turn");
            if (auto wrong = proof_->check_server_final(request.data)) return fail(wrong->message);
            return {};
        case authentication_code::cleartext_password:
            return fail("asks for a clear-text password, which pgroute does not hold");
        case authentication_code::ok:
            break;
    }
    return fail("asks for an authentication method pgroute does not speak (code " +
                std::to_string(request.code) + ")");
}

login_step node_exchange::start_scram(const protocol::authentication_request& request) {
    if (!credentials_.client_key || !credentials_.verifier.scram) {
        return fail("asks for SCRAM, and the client did not authenticate by SCRAM");
    }
    const bool offers_scram =
        std::find(request.mechanisms.begin(), request.mechanisms.end(),
                  std::string_view("SCRAM-SHA-256")) != request.mechanisms.end();
    if (!offers_scram || scram_) return fail("offers no SASL mechanism pgroute speaks");
    scram_.emplace(auth::scram_credentials{user_,
                                           *credentials_.client_key,
                                           *credentials_.verifier.scram,
                                           {},
                                           auth::random_scram_nonce()});
    return {protocol::build_sasl_initial_response(scram_->mechanism(), scram_->client_first()), {}};
}

}  // namespace pgroute::proxy
