// A client session the way a failover drill sees it: kept open, reopened after any failure, each
// statement bounded by a deadline, and every failure carrying the SQLSTATE the server gave it.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "tests/support/libpq_conn.h"

namespace pgroute::test_support {

class probe_session {
  public:
    probe_session(std::string conninfo, std::chrono::milliseconds statement_timeout);
    // The receiver registered with libpq points into this object.
    probe_session(const probe_session&) = delete;
    probe_session& operator=(const probe_session&) = delete;

    // The first value of `sql`'s result, opening the session first if it is closed. Throws
    // pg_error (see exec_keeping_first_error); the session is then closed, and the next call opens
    // a new one.
    std::string run(const std::string& sql);
    void close();

  private:
    // An ErrorResponse that reaches an idle session (a FATAL while the server shuts down) is no
    // statement's result: libpq hands it to the notice receiver, and the next statement only
    // fails with "server closed the connection" and no SQLSTATE. Kept so that failure is
    // attributed.
    struct idle_fatal_notice {
        std::string sqlstate;
        std::string message;
    };
    static void keep_idle_fatal(void* arg, const PGresult* notice);

    std::string conninfo_;
    std::chrono::milliseconds statement_timeout_;
    std::optional<idle_fatal_notice> idle_fatal_;  // before session_: it outlives the receiver
    std::unique_ptr<libpq_conn> session_;
};

}  // namespace pgroute::test_support
