// libpq's asynchronous API with a deadline on every wait (results, COPY rows, notifications),
// so a proxy that stalls fails the test instead of hanging it; plus an MD5 to verify payloads.
#pragma once

#include <libpq-fe.h>
#include <openssl/evp.h>
#include <poll.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "tests/support/libpq_conn.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {

using result_ptr = std::unique_ptr<PGresult, decltype(&PQclear)>;
using notify_ptr = std::unique_ptr<PGnotify, decltype(&PQfreemem)>;

// Blocks until the connection's socket is ready for `events` or `deadline` passes (then throws).
inline void wait_for_socket(PGconn* conn, short events,
                            std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) throw std::runtime_error("timed out waiting for the server");
        pollfd socket{PQsocket(conn), events, 0};
        if (::poll(&socket, 1, static_cast<int>(left.count())) > 0) return;
    }
}

inline void wait_for_input(PGconn* conn, std::chrono::steady_clock::time_point deadline) {
    wait_for_socket(conn, POLLIN, deadline);
}

inline void consume_input(PGconn* conn) {
    if (PQconsumeInput(conn) == 0) {
        throw std::runtime_error(std::string("connection failed: ") + PQerrorMessage(conn));
    }
}

// The next PGresult (nullptr at the end of a query's results), waiting at most `timeout`.
[[nodiscard]] inline result_ptr next_result(
    PGconn* conn, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (PQisBusy(conn) != 0) {
        wait_for_input(conn, deadline);
        consume_input(conn);
    }
    return result_ptr(PQgetResult(conn), &PQclear);
}

// The next row of a COPY TO STDOUT, or nullopt once the copy is done.
[[nodiscard]] inline std::optional<std::string> next_copy_row(
    PGconn* conn, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        char* row = nullptr;
        const int length = PQgetCopyData(conn, &row, 1);
        if (length > 0) {
            std::string text(row, static_cast<std::size_t>(length));
            PQfreemem(row);
            return text;
        }
        if (length == -1) return std::nullopt;
        if (length == -2)
            throw std::runtime_error(std::string("COPY failed: ") + PQerrorMessage(conn));
        wait_for_input(conn, deadline);
        consume_input(conn);
    }
}

// Sends `data` as the body of a COPY FROM STDIN in `chunk`-byte CopyData messages, ends the
// copy and flushes it all, never blocking past `timeout`. The connection stays non-blocking.
inline void put_copy_data(PGconn* conn, std::string_view data, std::size_t chunk,
                          std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (PQsetnonblocking(conn, 1) != 0) throw std::runtime_error("PQsetnonblocking failed");
    const auto retry_until_queued = [&](auto&& put) {
        for (;;) {
            const int queued = put();
            if (queued == 1) return;
            if (queued < 0) {
                throw std::runtime_error(std::string("COPY send failed: ") + PQerrorMessage(conn));
            }
            wait_for_socket(conn, POLLOUT, deadline);
        }
    };
    for (std::size_t at = 0; at < data.size(); at += chunk) {
        const auto piece = data.substr(at, chunk);
        retry_until_queued(
            [&] { return PQputCopyData(conn, piece.data(), static_cast<int>(piece.size())); });
    }
    retry_until_queued([&] { return PQputCopyEnd(conn, nullptr); });
    for (int flushed = PQflush(conn); flushed != 0; flushed = PQflush(conn)) {
        if (flushed < 0)
            throw std::runtime_error(std::string("flush failed: ") + PQerrorMessage(conn));
        wait_for_socket(conn, POLLOUT, deadline);
    }
}

// The next notification on a LISTENing connection; throws if none arrives within `timeout`.
[[nodiscard]] inline notify_ptr next_notification(PGconn* conn, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        consume_input(conn);
        if (PGnotify* notify = PQnotifies(conn)) return notify_ptr(notify, &PQfreemem);
        wait_for_input(conn, deadline);
    }
}

// Waits until the server `inspector` is connected to runs `query` (in pg_stat_activity), which
// the test then cancels or cuts; `server` names it in the failure.
inline void wait_until_running(libpq_conn& inspector, const std::string& query,
                               const std::string& server) {
    wait_until(
        [&] {
            return inspector.exec_scalar("SELECT count(*) FROM pg_stat_activity WHERE query = '" +
                                         query + "' AND state = 'active'") == "1";
        },
        std::chrono::seconds(10), "the " + server + " runs " + query);
}

struct login_refusal {
    std::string sqlstate;
    std::string message;
};

// How a login through `conninfo` fails; throws if it succeeds.
[[nodiscard]] inline login_refusal login_failure(const std::string& conninfo) {
    try {
        const libpq_conn conn(conninfo);
    } catch (const pg_error& error) {
        return {error.sqlstate(), error.what()};
    }
    throw std::runtime_error("the login succeeded: " + conninfo);
}

// Lowercase hex MD5, as PostgreSQL's md5() returns it.
[[nodiscard]] inline std::string md5_hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_md5(), nullptr) != 1) {
        throw std::runtime_error("EVP_Digest(md5) failed");
    }
    std::string hex;
    for (unsigned int i = 0; i < size; ++i) {
        char pair[3];
        std::snprintf(pair, sizeof pair, "%02x", digest[i]);
        hex += pair;
    }
    return hex;
}

}  // namespace pgroute::test_support
