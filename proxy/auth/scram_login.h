// pgroute logging into a node by SCRAM-SHA-256 in a client's name, without its password: with the
// ClientKey recovered when the client authenticated (ClientProof = ClientKey XOR HMAC(StoredKey,
// AuthMessage)) and the user's secret, whose salt and iteration count the node must also have —
// the ClientKey is only good for that salt. The node's answers are read as libpq reads them.
// Every failure is 08006 (pgroute could not log into the node); the caller names the node.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/auth/auth_error.h"
#include "proxy/auth/scram_secret.h"

namespace pgroute::proxy::auth {

// What to log in with. With the node's tls-server-end-point hash (of the certificate it presented
// on pgroute's TLS session to it), the login binds to that session: SCRAM-SHA-256-PLUS.
struct scram_credentials {
    std::string user;
    scram_key client_key{};
    scram_secret secret;
    std::vector<std::uint8_t> node_certificate_hash;
    std::string client_nonce;  // random_scram_nonce() but for known-answer tests
};

// After the client-final message, waiting for the node's server-final.
class scram_login_proof {
  public:
    [[nodiscard]] const std::string& client_final() const { return client_final_; }
    // nullopt when the node proved it knows the ServerKey.
    [[nodiscard]] std::optional<auth_error> check_server_final(std::string_view server_final) const;

  private:
    friend class scram_login;
    scram_login_proof(std::string client_final, scram_key server_signature)
        : client_final_(std::move(client_final)), server_signature_(server_signature) {}

    std::string client_final_;
    scram_key server_signature_;
};

class scram_login {
  public:
    explicit scram_login(scram_credentials credentials);

    // The mechanism to name in SASLInitialResponse, and the message that goes with it.
    [[nodiscard]] std::string_view mechanism() const;
    [[nodiscard]] const std::string& client_first() const { return client_first_; }

    // Answers the node's server-first message.
    [[nodiscard]] result<scram_login_proof> answer(std::string_view server_first) const;

  private:
    scram_credentials credentials_;
    std::string gs2_header_;
    std::string client_first_;
};

}  // namespace pgroute::proxy::auth
