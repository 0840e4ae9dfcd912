#include "tests/support/libpq_conn.h"

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <regex>

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

// False when `deadline` passed before the connection's socket became readable.
bool wait_readable(PGconn* conn, std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd socket{PQsocket(conn), POLLIN, 0};
    return poll(&socket, 1, static_cast<int>(left.count())) != 0;
}

// Longer than pgroute's limits.hold_timeout (30 s), for which a new session waits for a leader.
constexpr auto connect_deadline = 40s;

std::string quoted(std::string_view value) {
    std::string result = "'";
    for (const char c : value) {
        if (c == '\'' || c == '\\') result += '\\';
        result += c;
    }
    return result + "'";
}

using result_ptr = std::unique_ptr<PGresult, decltype(&PQclear)>;

std::string sqlstate_of(const PGresult* result) {
    const char* sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    return sqlstate != nullptr ? sqlstate : "";
}

// libpq keeps no SQLSTATE for a failed connection attempt, but its verbose message carries it:
// "... failed: FATAL:  28P01: password authentication failed ...".
std::string sqlstate_in_verbose(const std::string& message) {
    static const std::regex code(R"((?:FATAL|ERROR|PANIC):  ([0-9A-Z]{5}): )");
    std::smatch match;
    return std::regex_search(message, match, code) ? match[1].str() : "";
}

// Drives the connection by hand: PQconnectdb cannot be told to report verbosely, and
// PQconnectPoll ignores connect_timeout, so the deadline is ours.
void complete_connection(PGconn* conn) {
    PQsetErrorVerbosity(conn, PQERRORS_VERBOSE);
    const auto deadline = std::chrono::steady_clock::now() + connect_deadline;
    PostgresPollingStatusType state = PGRES_POLLING_WRITING;
    while (PQstatus(conn) != CONNECTION_BAD && state != PGRES_POLLING_OK &&
           state != PGRES_POLLING_FAILED) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        const short wanted = state == PGRES_POLLING_READING ? POLLIN : POLLOUT;
        pollfd socket{PQsocket(conn), wanted, 0};
        if (left.count() <= 0 || poll(&socket, 1, static_cast<int>(left.count())) == 0) {
            throw pg_error(
                "connecting timed out after " + std::to_string(connect_deadline.count()) + " s",
                "");
        }
        state = PQconnectPoll(conn);
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        const std::string message = PQerrorMessage(conn);
        throw pg_error(message, sqlstate_in_verbose(message));
    }
    PQsetErrorVerbosity(conn, PQERRORS_DEFAULT);
}

}  // namespace

std::string loopback_conninfo(std::uint16_t port, std::string_view user, std::string_view dbname,
                              std::string_view password) {
    std::string conninfo = "host=127.0.0.1 port=" + std::to_string(port) + " user=" + quoted(user) +
                           " dbname=" + quoted(dbname) + " connect_timeout=5";
    if (!password.empty()) conninfo += " password=" + quoted(password);
    return conninfo;
}

libpq_conn::libpq_conn(const std::string& conninfo)
    : conn_(PQconnectStart(conninfo.c_str()), &PQfinish) {
    if (!conn_) throw pg_error("libpq is out of memory", "");
    complete_connection(conn_.get());
}

sql_rows libpq_conn::exec(const std::string& sql) {
    return take(PQexec(conn_.get(), sql.c_str()));
}

sql_rows libpq_conn::exec_params(const std::string& sql, const std::vector<std::string>& params) {
    std::vector<const char*> values;
    for (const std::string& param : params)
        values.push_back(param.c_str());
    return take(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                             values.data(), nullptr, nullptr, 0));
}

void libpq_conn::prepare(const std::string& name, const std::string& sql) {
    (void)take(PQprepare(conn_.get(), name.c_str(), sql.c_str(), 0, nullptr));
}

sql_rows libpq_conn::exec_prepared(const std::string& name,
                                   const std::vector<std::string>& params) {
    std::vector<const char*> values;
    for (const std::string& param : params)
        values.push_back(param.c_str());
    return take(PQexecPrepared(conn_.get(), name.c_str(), static_cast<int>(values.size()),
                               values.data(), nullptr, nullptr, 0));
}

std::optional<std::string> libpq_conn::exec_scalar(const std::string& sql,
                                                   const std::vector<std::string>& params) {
    sql_rows rows = exec_params(sql, params);
    if (rows.size() != 1 || rows.front().size() != 1) {
        throw std::runtime_error("expected one value from: " + sql);
    }
    return std::move(rows.front().front());
}

sql_rows libpq_conn::take(PGresult* raw_result) {
    const result_ptr result(raw_result, &PQclear);
    const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        // Without a result, libpq itself failed (connection lost) and no SQLSTATE exists.
        throw pg_error(result ? PQresultErrorMessage(result.get()) : PQerrorMessage(conn_.get()),
                       result ? sqlstate_of(result.get()) : "");
    }
    sql_rows rows(PQntuples(result.get()));
    for (int row = 0; row < static_cast<int>(rows.size()); ++row) {
        for (int column = 0; column < PQnfields(result.get()); ++column) {
            rows[row].push_back(
                PQgetisnull(result.get(), row, column)
                    ? std::nullopt
                    : std::optional<std::string>(PQgetvalue(result.get(), row, column)));
        }
    }
    return rows;
}

std::string exec_keeping_first_error(PGconn* conn, const std::string& sql,
                                     std::chrono::milliseconds timeout) {
    if (PQsendQuery(conn, sql.c_str()) == 0) throw pg_error(PQerrorMessage(conn), "");
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::optional<pg_error> first_error;
    std::string later_errors;
    std::string value;
    for (;;) {
        while (PQisBusy(conn) != 0) {
            if (!wait_readable(conn, deadline))
                throw pg_error(std::string(statement_timed_out), "");
            if (PQconsumeInput(conn) == 0) break;  // PQgetResult reports the lost connection
        }
        PGresult* result = PQgetResult(conn);
        if (result == nullptr) break;
        const ExecStatusType status = PQresultStatus(result);
        if (status == PGRES_TUPLES_OK && PQntuples(result) > 0 && PQnfields(result) > 0) {
            value = PQgetvalue(result, 0, 0);
        } else if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
            const char* sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
            if (first_error) {
                later_errors += PQresultErrorMessage(result);
            } else {
                first_error.emplace(PQresultErrorMessage(result),
                                    sqlstate != nullptr ? sqlstate : "");
            }
        }
        PQclear(result);
    }
    if (first_error) {
        throw pg_error(std::string(first_error->what()) + later_errors, first_error->sqlstate());
    }
    return value;
}

void read_while_idle(PGconn* conn, std::chrono::milliseconds duration) {
    const auto until = std::chrono::steady_clock::now() + duration;
    while (std::chrono::steady_clock::now() < until) {
        const auto slice = std::min(until, std::chrono::steady_clock::now() + 20ms);
        if (wait_readable(conn, slice) && PQconsumeInput(conn) == 0) return;
        while (PGresult* unexpected = PQgetResult(conn))
            PQclear(unexpected);
    }
}

}  // namespace pgroute::test_support
