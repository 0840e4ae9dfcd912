// The two messages a SCRAM client sends, read as PostgreSQL 15's auth-scram.c reads them: the same
// checks in the same order, each failure with its SQLSTATE, message and detail. Channel binding
// is checked here too, since PostgreSQL checks it while it reads.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "proxy/auth/auth_error.h"
#include "proxy/auth/crypto.h"

namespace pgroute::proxy::auth {

inline constexpr std::string_view scram_binding_type = "tls-server-end-point";

// What the client's connection to pgroute allows and what the client chose.
struct channel_binding {
    // tls-server-end-point data of pgroute's certificate; empty without TLS (or with a certificate
    // it is not defined for), and then SCRAM-SHA-256-PLUS is not offered.
    std::vector<std::uint8_t> certificate_hash;
    bool selected = false;  // the client chose SCRAM-SHA-256-PLUS

    [[nodiscard]] bool offered() const { return !certificate_hash.empty(); }
};

// gs2-cbind-flag: 'n' the client does not bind, 'y' it could but thinks the server cannot, 'p' it
// binds (always tls-server-end-point: nothing else is accepted).
struct client_first_message {
    char binding_flag = 'n';
    std::string_view bare;  // client-first-message-bare, which the AuthMessage starts with
    std::string_view nonce;
};

struct client_final_message {
    std::string_view without_proof;  // client-final-message-without-proof, for the AuthMessage
    std::string_view nonce;
    scram_key proof{};
};

// Views point into message.
[[nodiscard]] result<client_first_message> parse_client_first(std::string_view message,
                                                              const channel_binding& binding);
// The nonce is not compared here; the exchange does that, with the server's nonce in hand.
[[nodiscard]] result<client_final_message> parse_client_final(std::string_view message,
                                                              char binding_flag,
                                                              const channel_binding& binding);

}  // namespace pgroute::proxy::auth
