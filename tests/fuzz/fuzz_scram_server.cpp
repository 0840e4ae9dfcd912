// libFuzzer target: pgroute's SCRAM server on arbitrary client messages. The first byte picks the
// channel binding (none, offered, selected), the rest is the client-first message up to the
// first NUL and the client-final message after it. Against the secret and server nonce of a
// recorded libpq login (so that the seeds reach success), every answer must be well-formed: a
// challenge that repeats the client's nonce, errors with their step's SQLSTATEs and printable
// text, and a success only with a ClientKey that hashes to the StoredKey.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "proxy/auth/scram_server.h"
#include "tests/fuzz/auth_invariants.h"
#include "tests/fuzz/split_input.h"
#include "tests/unit/auth/scram_fixture.h"

namespace {

using namespace pgroute::proxy::auth;
using pgroute::fuzz::check_auth_error;
using pgroute::fuzz::require;
using testing::postgres_exchange;
using testing::postgres_secret;

channel_binding binding_for(std::uint8_t choice) {
    channel_binding binding;
    if (choice % 3 != 0) binding.certificate_hash.assign(32, 0x5a);
    binding.selected = choice % 3 == 2;
    return binding;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const auto [client_first, client_final] = pgroute::fuzz::split_at_nul(
        std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
    const scram_exchange exchange = postgres_exchange(binding_for(data[0]));
    const auto challenge = scram_challenge::accept(client_first, exchange);
    if (!challenge) {
        check_auth_error(challenge.error(), {"08P01", "28000", "0A000"});
        return 0;
    }
    const std::string& server_first = challenge->server_first();
    require(server_first.starts_with("r=") &&
                server_first.find(std::string(postgres_answers::libpq_login.server_nonce) +
                                  ",s=") != std::string::npos &&
                server_first.ends_with(",i=4096"),
            "the challenge is the combined nonce, the salt and the iteration count");

    const auto verified = challenge->verify(client_final);
    if (!verified) {
        check_auth_error(verified.error(), {"08P01", "28000", "28P01"});
        return 0;
    }
    require(sha256(verified->client_key) == postgres_secret().stored_key,
            "a verified client proved the ClientKey behind the StoredKey");
    require(verified->server_final.starts_with("v="), "the server-final message is a verifier");
    return 0;
}
