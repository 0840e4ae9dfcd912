// A small libpq client for tests: connect, run SQL, read rows, and see which SQLSTATE a failure
// carried. Failures are exceptions (pg_error) so that a test cannot miss one.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pgroute::test_support {

class pg_error : public std::runtime_error {
  public:
    pg_error(const std::string& message, std::string sqlstate)
        : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
    // Empty when the failure did not come from the server (refused, reset, timed out).
    [[nodiscard]] const std::string& sqlstate() const { return sqlstate_; }

  private:
    std::string sqlstate_;
};

using sql_row = std::vector<std::optional<std::string>>;  // nullopt is SQL NULL
using sql_rows = std::vector<sql_row>;

// "host=127.0.0.1 port=... user=... dbname=... connect_timeout=5 [password=...]", values quoted
// so that any text is safe in them. Append " key=value" for more options (sslmode, ...).
[[nodiscard]] std::string loopback_conninfo(std::uint16_t port, std::string_view user,
                                            std::string_view dbname,
                                            std::string_view password = {});

class libpq_conn {
  public:
    // Throws pg_error with the server's SQLSTATE (28P01 for a wrong password, ...) on failure.
    explicit libpq_conn(const std::string& conninfo);

    // Rows of the last statement in `sql` as text; throws pg_error if any statement fails.
    sql_rows exec(const std::string& sql);
    sql_rows exec_params(const std::string& sql, const std::vector<std::string>& params);
    // A protocol-level named prepared statement (Parse), and a run of it (Bind, Execute).
    void prepare(const std::string& name, const std::string& sql);
    sql_rows exec_prepared(const std::string& name, const std::vector<std::string>& params);
    // The single value of a one-row, one-column result; throws if the shape differs.
    [[nodiscard]] std::optional<std::string> exec_scalar(
        const std::string& sql, const std::vector<std::string>& params = {});

    [[nodiscard]] PGconn* raw() const { return conn_.get(); }

  private:
    sql_rows take(PGresult* result);

    std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
};

// The SQLSTATE carried by the pg_error that `action` throws (or its message, when the failure had
// none); empty if it throws nothing. A test writes EXPECT_EQ(sqlstate_thrown_by(...), "28P01").
template <class Action>
[[nodiscard]] std::string sqlstate_thrown_by(Action&& action) {
    try {
        action();
    } catch (const pg_error& error) {
        return error.sqlstate().empty() ? "(no SQLSTATE: " + std::string(error.what()) + ")"
                                        : error.sqlstate();
    }
    return {};
}

// One statement the way a careful client runs it: libpq's asynchronous API with a deadline, and
// the first error kept. PQexec (and so libpq_conn::exec) returns only the last result, so a FATAL
// followed by the closed connection loses its SQLSTATE there. Returns the first value of the
// result ("" if none); throws pg_error for the first error (later errors' text appended), or with
// no SQLSTATE and `statement_timed_out` in its message when `timeout` passes first.
inline constexpr std::string_view statement_timed_out = "no answer within the statement timeout";
[[nodiscard]] std::string exec_keeping_first_error(PGconn* conn, const std::string& sql,
                                                   std::chrono::milliseconds timeout);

// What a client that watches its socket while idle does (one waiting for notifications, or an
// event-driven driver), for `duration`: reads what arrives and lets libpq parse it. libpq hands an
// ErrorResponse it reads while idle to the notice processor, and the next statement can then
// only fail with "server closed the connection unexpectedly" and no SQLSTATE.
void read_while_idle(PGconn* conn, std::chrono::milliseconds duration);

}  // namespace pgroute::test_support
