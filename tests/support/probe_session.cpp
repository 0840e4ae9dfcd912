#include "tests/support/probe_session.h"

#include <string_view>
#include <utility>

namespace pgroute::test_support {

probe_session::probe_session(std::string conninfo, std::chrono::milliseconds statement_timeout)
    : conninfo_(std::move(conninfo)), statement_timeout_(statement_timeout) {}

void probe_session::keep_idle_fatal(void* arg, const PGresult* notice) {
    const char* severity = PQresultErrorField(notice, PG_DIAG_SEVERITY_NONLOCALIZED);
    const char* sqlstate = PQresultErrorField(notice, PG_DIAG_SQLSTATE);
    if (severity == nullptr || std::string_view(severity) != "FATAL") return;
    *static_cast<std::optional<idle_fatal_notice>*>(arg) =
        idle_fatal_notice{sqlstate != nullptr ? sqlstate : "", PQresultErrorMessage(notice)};
}

std::string probe_session::run(const std::string& sql) {
    if (!session_) {
        idle_fatal_.reset();
        session_ = std::make_unique<libpq_conn>(conninfo_);
        PQsetNoticeReceiver(session_->raw(), &keep_idle_fatal, &idle_fatal_);
    }
    try {
        return exec_keeping_first_error(session_->raw(), sql, statement_timeout_);
    } catch (const pg_error& error) {
        const std::optional<idle_fatal_notice> idle_fatal = idle_fatal_;
        close();
        if (!error.sqlstate().empty() || !idle_fatal) throw;
        throw pg_error("while idle: " + idle_fatal->message + error.what(), idle_fatal->sqlstate);
    }
}

void probe_session::close() {
    session_.reset();
}

}  // namespace pgroute::test_support
