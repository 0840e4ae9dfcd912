// libFuzzer target: a stored password text (userlist.txt's second field, pg_shadow.passwd) on
// arbitrary bytes. A SCRAM secret must write back to a text that reads the same, an md5 hash must
// be the text's own digits, and anything else a clear-text password that is exactly the text.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "proxy/auth/stored_verifier.h"
#include "tests/fuzz/auth_invariants.h"

namespace {

using namespace pgroute::proxy::auth;
using pgroute::fuzz::require;

void check_accepted(const stored_password& password, std::string_view input) {
    if (const auto* scram = std::get_if<scram_secret>(&password)) {
        require(input.starts_with(scram_secret_prefix), "a SCRAM secret starts with its prefix");
        require(scram->iterations >= 1 && !scram->salt.empty(), "a secret has iterations and salt");
        require(parse_scram_secret(format_scram_secret(*scram)) == *scram,
                "a SCRAM secret written back reads the same");
    } else if (const auto* md5 = std::get_if<md5_secret>(&password)) {
        require(input.size() == 35 && input.substr(3) == md5->text(),
                "an md5 hash is \"md5\" and its 32 digits");
    } else {
        const auto& clear = std::get<clear_password>(password);
        require(clear.text == input, "a clear-text password is the whole text");
        require(!input.starts_with(scram_secret_prefix), "a broken SCRAM secret is not a password");
        require(std::all_of(input.begin(), input.end(),
                            [](char c) { return static_cast<unsigned char>(c) < 0x80; }),
                "a clear-text password is ASCII");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto password = parse_stored_password(input);
    if (password) {
        check_accepted(*password, input);
    } else {
        pgroute::fuzz::check_auth_error(password.error(), {"28000"});
    }
    // The secret parser on its own agrees with the classification.
    const auto secret = parse_scram_secret(input);
    require(secret.has_value() == (password && std::holds_alternative<scram_secret>(*password)),
            "parse_scram_secret accepts exactly the texts classified as SCRAM secrets");
    return 0;
}
