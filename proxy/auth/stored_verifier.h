// What pgroute holds for a user: the secrets it authenticates the client with and logs into a
// node with. A stored password text (userlist.txt's second field, pg_shadow.passwd) is, as in
// PostgreSQL's get_password_type, a SCRAM secret, an md5 hash, or else a clear-text password.
//
// A clear-text password is turned into secrets once, when it is loaded, and not kept: a SCRAM
// secret under a fresh random salt (as CREATE ROLE ... PASSWORD does) and its md5 hash. Its
// caller wipes the text it read it from. The price is that pgroute cannot log into a node by SCRAM
// for such a user — the ClientKey it recovers from the client's proof belongs to pgroute's salt,
// not the node's — so a user whose nodes use SCRAM needs its secret from pg_authid in the file.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <variant>

#include "proxy/auth/auth_error.h"
#include "proxy/auth/scram_secret.h"

namespace pgroute::proxy::auth {

// md5(password + user name) in lowercase hex, as PostgreSQL stores it after its "md5" prefix.
struct md5_secret {
    std::array<char, 32> hex{};

    [[nodiscard]] std::string_view text() const { return {hex.data(), hex.size()}; }
    bool operator==(const md5_secret&) const = default;
};

[[nodiscard]] md5_secret md5_secret_of(std::string_view password, std::string_view user);

struct clear_password {
    std::string_view text;  // empty: the user has no password, as a NULL rolpassword
};

using stored_password = std::variant<scram_secret, md5_secret, clear_password>;

// What the text is. Unlike PostgreSQL, a text that starts like a SCRAM secret but is not one is an
// error rather than a clear-text password, and so is a non-ASCII clear-text password (pgroute has
// no SASLprep, so its SCRAM keys would not be libpq's).
[[nodiscard]] result<stored_password> parse_stored_password(std::string_view text);

// Either secret may be missing: a user with an md5 hash cannot be authenticated by SCRAM (nor log
// into a node that asks for it), a user with a SCRAM secret cannot answer an md5 challenge, and a
// user with no password has neither.
struct stored_verifier {
    std::optional<scram_secret> scram;
    std::optional<md5_secret> md5;

    bool operator==(const stored_verifier&) const = default;
};

// The verifier for a parsed text; a clear-text password gets a random salt.
[[nodiscard]] stored_verifier make_verifier(std::string_view user, const stored_password& password);

}  // namespace pgroute::proxy::auth
