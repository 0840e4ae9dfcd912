// pgroute authenticating a client by SCRAM-SHA-256 (RFC 5802, 7677), as PostgreSQL 15 does: the
// mechanism the client picks, its client-first message answered with a challenge, its
// client-final message verified. The proof is checked by recovering the ClientKey from it
// (ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage), then H(ClientKey) must be StoredKey),
// and that ClientKey is what pgroute later logs into nodes with, in the client's name.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/sasl_mechanisms.h"
#include "proxy/auth/auth_error.h"
#include "proxy/auth/crypto.h"
#include "proxy/auth/mock_verifier.h"
#include "proxy/auth/scram_client_messages.h"

namespace pgroute::proxy::auth {

inline constexpr std::string_view scram_mechanism = "SCRAM-SHA-256";
using protocol::scram_plus_mechanism;

// The mechanisms to list in AuthenticationSASL, channel binding first when it is offered.
[[nodiscard]] std::vector<std::string_view> scram_mechanisms(const channel_binding& binding);

// The client's pick from that list (SASLInitialResponse), as binding.selected.
[[nodiscard]] result<channel_binding> choose_mechanism(std::string_view mechanism,
                                                       channel_binding binding);

// What an exchange starts from. server_nonce is random_scram_nonce() but for known-answer tests.
struct scram_exchange {
    std::string user;  // the StartupMessage's, for the 28P01 message
    server_secret secret;
    channel_binding binding;
    std::string server_nonce;
};

// A successful exchange: what to send (AuthenticationSASLFinal), and the client's ClientKey.
struct scram_verified {
    std::string server_final;
    scram_key client_key{};
};

// The exchange after the client-first message, waiting for the client-final one.
class scram_challenge {
  public:
    [[nodiscard]] static result<scram_challenge> accept(std::string_view client_first,
                                                        scram_exchange exchange);

    // The server-first message, for AuthenticationSASLContinue.
    [[nodiscard]] const std::string& server_first() const { return server_first_; }

    // A wrong proof, or any proof against a doomed secret, is 28P01 — after the same work.
    [[nodiscard]] result<scram_verified> verify(std::string_view client_final) const;

  private:
    scram_challenge() = default;

    scram_exchange exchange_;
    char binding_flag_ = 'n';
    std::string client_first_bare_;
    std::string server_first_;
    std::string combined_nonce_;
};

}  // namespace pgroute::proxy::auth
