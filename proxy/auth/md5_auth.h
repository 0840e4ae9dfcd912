// md5 password authentication (AuthenticationMD5Password), both ways. The client answers a
// 4-byte salt with "md5" + md5(md5(password + user) + salt); since the inner hash is what is
// stored, pgroute can check that answer and give it to a node from the stored hash alone.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proxy/auth/auth_error.h"
#include "proxy/auth/stored_verifier.h"

namespace pgroute::proxy::auth {

using md5_salt = std::array<std::uint8_t, 4>;

[[nodiscard]] md5_salt random_md5_salt();

// The PasswordMessage text that answers salt for stored.
[[nodiscard]] std::string md5_response(const md5_secret& stored, const md5_salt& salt);

// nullopt when response is right for stored; 28P01 when it is not or there is no stored hash
// (no such user, or no md5 hash for it), after the same comparison.
[[nodiscard]] std::optional<auth_error> check_md5_response(std::string_view user,
                                                           const md5_secret* stored,
                                                           const md5_salt& salt,
                                                           std::string_view response);

}  // namespace pgroute::proxy::auth
