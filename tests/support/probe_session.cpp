#include "tests/support/probe_session.h"

#include <string_view>
#include <utility>

namespace pgroute::test_support {

ProbeSession::ProbeSession(std::string conninfo, std::chrono::milliseconds statement_timeout)
    : conninfo_(std::move(conninfo)), statement_timeout_(statement_timeout) {}

void ProbeSession::keep_idle_fatal(void* arg, const PGresult* notice) {
    const char* severity = PQresultErrorField(notice, PG_DIAG_SEVERITY_NONLOCALIZED);
    const char* sqlstate = PQresultErrorField(notice, PG_DIAG_SQLSTATE);
    if (severity == nullptr || std::string_view(severity) != "FATAL") return;
    *static_cast<std::optional<IdleFatal>*>(arg) =
        IdleFatal{sqlstate != nullptr ? sqlstate : "", PQresultErrorMessage(notice)};
}

std::string ProbeSession::run(const std::string& sql) {
    if (!session_) {
        idle_fatal_.reset();
        session_ = std::make_unique<LibpqConn>(conninfo_);
        PQsetNoticeReceiver(session_->raw(), &keep_idle_fatal, &idle_fatal_);
    }
    try {
        return exec_keeping_first_error(session_->raw(), sql, statement_timeout_);
    } catch (const PgError& error) {
        const std::optional<IdleFatal> idle_fatal = idle_fatal_;
        close();
        if (!error.sqlstate().empty() || !idle_fatal) throw;
        throw PgError("while idle: " + idle_fatal->message + error.what(), idle_fatal->sqlstate);
    }
}

void ProbeSession::close() {
    session_.reset();
}

}  // namespace pgroute::test_support
