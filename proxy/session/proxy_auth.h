// What proxy-mode authentication (auth.mode: proxy) runs with, built once at start-up and read by
// every worker: auth_file's verifiers (auth_query's are looked up as needed: auth_lookup.h), the
// key unknown users' mock secrets are derived from, and the channel-binding data of pgroute's
// own certificate.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "proxy/auth/userlist.h"
#include "proxy/session/verifier_cache.h"

namespace pgroute::proxy {

// Proxy mode: what pgroute logs into nodes with in the client's name, kept from its
// authentication for as long as the session lives (a node login may be repeated elsewhere).
struct login_credentials {
    auth::stored_verifier verifier;
    std::optional<auth::scram_key> client_key;  // when the client authenticated by SCRAM
};

struct proxy_auth {
    auth::userlist users;
    // Random per process: an unknown user's salt stays the same for as long as pgroute runs,
    // as a real user's does (see auth/mock_verifier.h for what a restart shows).
    std::array<std::uint8_t, 32> mock_key{};
    // tls-server-end-point of the certificate pgroute serves clients with; empty without client
    // TLS, and then SCRAM-SHA-256-PLUS is not offered.
    std::vector<std::uint8_t> certificate_hash;
    // With auth.auth_user: what pgroute logs into the leader with to run auth_query (auth_file's
    // verifier for auth_user; no ClientKey, so an md5 hash or nothing).
    std::optional<login_credentials> auth_user_login;
    // With auth.auth_user: auth_query's answers, which every worker reads and writes (it is
    // synchronised on its own).
    std::unique_ptr<verifier_cache> looked_up;
};

}  // namespace pgroute::proxy
