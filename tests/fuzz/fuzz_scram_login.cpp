// libFuzzer target: pgroute logging into a node by SCRAM, on arbitrary answers from the node: the
// server-first message up to the first NUL, the server-final message after it. With the
// credentials and nonce of a recorded libpq login (so that the seeds reach success), an answer is
// a client-final message with the node's nonce and a proof, errors are 08006 with printable text,
// and a signature is accepted only when it is the recorded server's.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "proxy/auth/base64.h"
#include "proxy/auth/scram_login.h"
#include "tests/fuzz/auth_invariants.h"
#include "tests/fuzz/split_input.h"
#include "tests/unit/auth/scram_fixture.h"

namespace {

using namespace pgroute::proxy::auth;
using pgroute::fuzz::check_auth_error;
using pgroute::fuzz::require;
namespace pg = pgroute::proxy::auth::postgres_answers;

const scram_login& recorded_login() {
    static const scram_login login(testing::postgres_credentials());
    return login;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto [server_first, server_final] =
        pgroute::fuzz::split_at_nul(std::string_view(reinterpret_cast<const char*>(data), size));

    const auto proof = recorded_login().answer(server_first);
    if (!proof) {
        check_auth_error(proof.error(), {"08006"});
        return 0;
    }
    const std::string& client_final = proof->client_final();
    require(client_final.starts_with("c=biws,r=" + std::string(pg::libpq_login.client_nonce)) &&
                client_final.find(",p=") != std::string::npos,
            "the answer binds nothing, repeats the node's nonce and carries a proof");

    const auto error = proof->check_server_final(server_final);
    if (error) {
        check_auth_error(*error, {"08006"});
    } else {
        // Base64 leaves spare bits in its last character, and libpq decodes them away too: a
        // signature is the recorded one when its bytes are.
        std::string_view signature = server_final;
        if (signature.ends_with(',')) signature.remove_suffix(1);
        const bool recorded_final =
            signature.starts_with("v=") &&
            base64_decode(signature.substr(2)) ==
                base64_decode(std::string_view(pg::libpq_login.server_final).substr(2));
        require(server_first == pg::libpq_login.server_first && recorded_final,
                "only the recorded server's signature is accepted (a trailing comma, as libpq)");
    }
    return 0;
}
