// What proxy-mode authentication (auth.mode: proxy) runs with, built once at start-up and read by
// every worker: the users' stored verifiers, the key unknown users' mock secrets are derived
// from, and the channel-binding data of pgroute's own certificate.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "proxy/auth/userlist.h"

namespace pgroute::proxy {

struct proxy_auth {
    auth::userlist users;
    // Random per process: an unknown user's salt stays the same for as long as pgroute runs,
    // as a real user's does (see auth/mock_verifier.h for what a restart shows).
    std::array<std::uint8_t, 32> mock_key{};
    // tls-server-end-point of the certificate pgroute serves clients with; empty without client
    // TLS, and then SCRAM-SHA-256-PLUS is not offered.
    std::vector<std::uint8_t> certificate_hash;
};

// Proxy mode: what pgroute logs into nodes with in the client's name, kept from its
// authentication for as long as the session lives (a node login may be repeated elsewhere).
struct login_credentials {
    auth::stored_verifier verifier;
    std::optional<auth::scram_key> client_key;  // when the client authenticated by SCRAM
};

}  // namespace pgroute::proxy
