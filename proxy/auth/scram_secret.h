// A SCRAM-SHA-256 secret as PostgreSQL stores it in pg_authid.rolpassword (RFC 5803's format):
// SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/auth/crypto.h"

namespace pgroute::proxy::auth {

// PostgreSQL's defaults for a new secret (SCRAM_DEFAULT_ITERATIONS, SCRAM_DEFAULT_SALT_LEN).
inline constexpr int scram_default_iterations = 4096;
inline constexpr std::size_t scram_default_salt_length = 16;
inline constexpr std::string_view scram_secret_prefix = "SCRAM-SHA-256$";

struct scram_secret {
    int iterations = 0;
    std::vector<std::uint8_t> salt;
    scram_key stored_key{};
    scram_key server_key{};

    bool operator==(const scram_secret&) const = default;
};

// nullopt unless text is a well-formed secret: iterations a positive decimal int, the salt
// base64, each key base64 of exactly 32 bytes (parse_scram_secret in PostgreSQL's auth-scram.c).
[[nodiscard]] std::optional<scram_secret> parse_scram_secret(std::string_view text);
[[nodiscard]] std::string format_scram_secret(const scram_secret& secret);

// What a password yields under a salt: the secret, and the ClientKey only its owner can know.
struct scram_keys {
    scram_key client_key{};
    scram_secret secret;
};
// The password is used as given: PostgreSQL and libpq apply SASLprep first, which leaves ASCII
// unchanged (or fails on control characters, and then they use the raw bytes as well), so callers
// must not pass a non-ASCII password.
[[nodiscard]] scram_keys derive_scram_keys(std::string_view password,
                                           std::vector<std::uint8_t> salt, int iterations);

}  // namespace pgroute::proxy::auth
