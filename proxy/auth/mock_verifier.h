// What pgroute authenticates a client against when it has no SCRAM secret for the user (unknown,
// no password, md5 only): a secret with a plausible salt and PostgreSQL's default iteration count,
// doomed to fail at the proof, so that the answer is the same as for a wrong password. The salt
// is derived from the user name and a server secret (PostgreSQL's scram_mock_salt, keyed by its
// mock_authentication_nonce), so the same unknown name always sees the same salt, as a real user
// does. The key must outlive restarts for that to hold across them; a per-process random key lets
// a client that asks twice around a restart tell an unknown user (new salt) from a real one.
#pragma once

#include <span>
#include <string_view>

#include "proxy/auth/scram_secret.h"
#include "proxy/auth/stored_verifier.h"

namespace pgroute::proxy::auth {

[[nodiscard]] scram_secret mock_scram_secret(std::string_view user,
                                             std::span<const std::uint8_t> mock_key);

// The secret a SCRAM exchange runs with, and whether it may succeed at all.
struct server_secret {
    scram_secret secret;
    bool doomed = false;
};

// The user's SCRAM secret when verifier has one (verifier may be null: no such user), else the
// mock secret, doomed.
[[nodiscard]] server_secret scram_secret_or_mock(std::string_view user,
                                                 const stored_verifier* verifier,
                                                 std::span<const std::uint8_t> mock_key);

}  // namespace pgroute::proxy::auth
