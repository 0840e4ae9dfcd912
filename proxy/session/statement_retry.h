// Proxy mode: the one statement a session may run again on another node, because its node ended
// it with a shutdown FATAL before it could have committed (README, "A statement cut by a
// shutdown"). PostgreSQL 15 guarantees that for a lone autocommit statement whose first answer is
// a FATAL 57P01:
// - a commit happens in CommitTransaction (xact.c) with interrupts held, so a shutdown's die
//   interrupt cannot end the backend between the commit record and the CommandComplete
//   (exec_simple_query in postgres.c sends it after finish_xact_command); the FATAL that
//   ProcessInterrupts sends comes after the CommandComplete in the byte stream, where pgroute
//   reads it;
// - where a backend does die after its commit, it says no FATAL: SyncRepWaitForLSN (syncrep.c)
//   sends a WARNING and sets DestNone; ProcessClientWriteInterrupt (postgres.c) sets DestNone when
//   the client's socket is full; quickdie's messages (an immediate shutdown or a crash, at any
//   moment) are WARNINGs. None of those is retried.
// So only a lone SELECT, INSERT, UPDATE, DELETE, MERGE, WITH, VALUES or TABLE statement counts:
// one transaction, which ends with the statement. CALL and DO may commit inside; VACUUM, CREATE
// INDEX CONCURRENTLY and their kind run transactions of their own, and are not retried. Pure:
// fed by the relay's frame handlers, unit-tested without sockets.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pgroute::proxy {

class statement_retry {
  public:
    // Statements longer than this are not kept for a retry (their copy would cost every
    // session that sends them; a retry matters for the short writes of an OLTP client).
    static constexpr std::size_t max_statement = std::size_t{16} * 1024;

    // A client's message. A Query whose body the relay showed whole, sent while the session was
    // idle (ReadyForQuery 'I' its node's last message, nothing in flight), is kept if it can
    // run again; any other message, or one that cannot, forgets what was kept.
    void from_client(char type, std::string_view body, bool whole, bool session_idle);
    // Any message of the node's but the FATAL that ends a kept statement: a result reached the
    // client (or is on its way), so the statement is not run again.
    void from_server() { statement_.clear(); }

    // The node's ErrorResponse (`body`, whole) ends the kept statement in a way that proves it
    // did not commit: a FATAL with SQLSTATE 57P01, the statement's first answer.
    [[nodiscard]] bool ends_kept_statement(std::string_view error_body) const;
    [[nodiscard]] bool keeps_statement() const { return !statement_.empty(); }
    // The kept Query, whole (type, length, body), to send to the next node; forgets it, so that
    // a statement runs again once at most.
    [[nodiscard]] std::string take();

  private:
    std::string statement_;  // the Query's body; empty when none is kept
};

// Whether a statement text is one that statement_retry may run again (see above).
[[nodiscard]] bool may_run_again(std::string_view sql);

}  // namespace pgroute::proxy
