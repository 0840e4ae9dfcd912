// PgBouncer's auth_file (userlist.txt): one user a line, `"user" "password-or-secret"`, a quote
// inside a field written twice, anything after the second field ignored, lines starting with ';'
// and blank lines skipped. Stricter than PgBouncer, which loads the lines before a broken one and
// lets the password follow on a later line: here any error refuses the whole file, names its
// line, and both fields must be on one line. A user listed twice gets the last line's password,
// as in PgBouncer.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "proxy/auth/auth_error.h"
#include "proxy/auth/stored_verifier.h"

namespace pgroute::proxy::auth {

// PgBouncer's limits (MAX_USERNAME and MAX_PASSWORD, less the NUL).
inline constexpr std::size_t userlist_max_user_length = 127;
inline constexpr std::size_t userlist_max_password_length = 65530;

struct userlist_entry {
    std::size_t line = 0;
    std::string user;
    std::string password;  // unescaped; may be a clear-text password
};

struct userlist_error {
    std::size_t line = 0;
    std::string message;  // never quotes a password
};

[[nodiscard]] result<std::vector<userlist_entry>, userlist_error> parse_userlist(
    std::string_view text);

using userlist = std::unordered_map<std::string, stored_verifier>;

// Parses text and makes every user's verifier, then wipes text and every clear-text password it
// held, whether it succeeds or not.
[[nodiscard]] result<userlist, userlist_error> load_userlist(std::string& text);

}  // namespace pgroute::proxy::auth
