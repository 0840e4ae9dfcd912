#include "proxy/auth/mock_verifier.h"

#include <string>

namespace pgroute::proxy::auth {

scram_secret mock_scram_secret(std::string_view user, std::span<const std::uint8_t> mock_key) {
    // As scram_mock_salt: SHA-256 over the name and the key, cut to the default salt length. The
    // keys stay zero: a doomed exchange computes the proof only to take the same time.
    std::string input(user);
    input.append(reinterpret_cast<const char*>(mock_key.data()), mock_key.size());
    const scram_key digest = sha256(bytes_of(input));
    scram_secret secret;
    secret.iterations = scram_default_iterations;
    secret.salt.assign(digest.begin(), digest.begin() + scram_default_salt_length);
    return secret;
}

server_secret scram_secret_or_mock(std::string_view user, const stored_verifier* verifier,
                                   std::span<const std::uint8_t> mock_key) {
    if (verifier && verifier->scram) return {*verifier->scram, false};
    return {mock_scram_secret(user, mock_key), true};
}

}  // namespace pgroute::proxy::auth
