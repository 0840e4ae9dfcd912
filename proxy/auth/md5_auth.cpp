#include "proxy/auth/md5_auth.h"

#include "proxy/auth/crypto.h"

namespace pgroute::proxy::auth {

md5_salt random_md5_salt() {
    md5_salt salt{};
    random_bytes(salt);
    return salt;
}

std::string md5_response(const md5_secret& stored, const md5_salt& salt) {
    std::string input(stored.text());
    input.append(reinterpret_cast<const char*>(salt.data()), salt.size());
    return "md5" + md5_hex(input);
}

std::optional<auth_error> check_md5_response(std::string_view user, const md5_secret* stored,
                                             const md5_salt& salt, std::string_view response) {
    // Without a hash the answer is compared with a made-up one and fails regardless, so that the
    // work done does not show whether the user exists.
    const md5_secret nobody{};
    const std::string expected = md5_response(stored ? *stored : nobody, salt);
    const bool matches = equal_in_constant_time(bytes_of(expected), bytes_of(response));
    if (matches && stored) return std::nullopt;
    return password_failed(user);
}

}  // namespace pgroute::proxy::auth
