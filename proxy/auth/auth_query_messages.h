// auth_query, as PgBouncer has it: the messages pgroute sends on a connection of its own to the
// leader, logged in as auth_user, to look up a user's stored password, and the reading of the
// node's answer. The query runs through the extended protocol with the user name as its one
// parameter ($1), so no name is ever quoted into SQL text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pgroute::proxy::auth {

// PgBouncer's default: what pg_shadow holds for the user (a superuser's view; a SECURITY DEFINER
// function gives it to a role that is not one).
inline constexpr std::string_view default_auth_query =
    "SELECT usename, passwd FROM pg_shadow WHERE usename = $1";

// Parse, Bind (the user name as $1, in text), Execute and Sync: one cycle, ended by one
// ReadyForQuery.
[[nodiscard]] std::string build_auth_query(std::string_view query, std::string_view user);

struct auth_query_row {
    std::optional<std::string> password;  // its second column; nullopt for NULL
};

// Reads the node's answer to build_auth_query's messages, one message at a time.
class auth_query_reader {
  public:
    // Returns true at the ReadyForQuery that ends the answer.
    bool read(char type, std::string_view body);
    // Why the lookup failed (the node's ErrorResponse, more than one row, a row of fewer than
    // two columns), or empty.
    [[nodiscard]] const std::string& failed() const { return failed_; }
    // The row, if one came back: no row means no such user.
    [[nodiscard]] std::optional<auth_query_row>& row() { return row_; }

  private:
    void read_row(std::string_view body);

    std::optional<auth_query_row> row_;
    std::string failed_;
};

}  // namespace pgroute::proxy::auth
