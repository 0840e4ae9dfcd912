#include "proxy/session/statement_retry.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol/error_response.h"
#include "protocol/message_builder.h"

namespace pgroute::proxy {
namespace {

std::string query_body(std::string_view sql) {
    return std::string(sql) + '\0';
}

std::string error_body(std::string_view severity, std::string_view sqlstate) {
    const std::string frame = protocol::build_error_response(
        {severity, sqlstate, "terminating connection due to administrator command"});
    return frame.substr(5);
}

TEST(statement_retry, KeepsALoneAutocommitWriteSentWhileIdleUntilItsFatal) {
    statement_retry retry;
    const std::string body = query_body("INSERT INTO t VALUES (1)");
    retry.from_client('Q', body, true, true);
    ASSERT_TRUE(retry.keeps_statement());
    EXPECT_TRUE(retry.ends_kept_statement(error_body("FATAL", "57P01")));
    EXPECT_EQ(retry.take(), protocol::message_builder('Q').bytes(body).finish());
    EXPECT_FALSE(retry.keeps_statement());  // once at most
    EXPECT_FALSE(retry.ends_kept_statement(error_body("FATAL", "57P01")));
}

TEST(statement_retry, OnlyAFatal57P01ProvesNoCommit) {
    statement_retry retry;
    retry.from_client('Q', query_body("UPDATE t SET x = 1"), true, true);
    // An ERROR leaves the session alive; a WARNING 57P01 is syncrep.c's after a local commit
    // (or quickdie's, at any moment); 57P02 comes only from quickdie.
    EXPECT_FALSE(retry.ends_kept_statement(error_body("ERROR", "57P01")));
    EXPECT_FALSE(retry.ends_kept_statement(error_body("WARNING", "57P01")));
    EXPECT_FALSE(retry.ends_kept_statement(error_body("FATAL", "57P02")));
    EXPECT_FALSE(retry.ends_kept_statement(error_body("FATAL", "08006")));
    EXPECT_FALSE(retry.ends_kept_statement("not an error body"));
    EXPECT_TRUE(retry.ends_kept_statement(error_body("FATAL", "57P01")));
}

TEST(statement_retry, AnyAnswerOfTheNodeMeansAResultReachedTheClient) {
    statement_retry retry;
    retry.from_client('Q', query_body("SELECT 1"), true, true);
    retry.from_server();
    EXPECT_FALSE(retry.keeps_statement());
}

TEST(statement_retry, AnotherClientMessageForgetsTheStatement) {
    statement_retry retry;
    retry.from_client('Q', query_body("SELECT 1"), true, true);
    // Pipelined: the second Query's fate is unknown, so neither runs again.
    retry.from_client('Q', query_body("SELECT 2"), true, false);
    EXPECT_FALSE(retry.keeps_statement());
}

TEST(statement_retry, KeepsNothingSentOutsideIdleOrNotShownWhole) {
    statement_retry retry;
    retry.from_client('Q', query_body("SELECT 1"), true, false);
    EXPECT_FALSE(retry.keeps_statement());
    retry.from_client('Q', query_body("SELECT 1"), false, true);
    EXPECT_FALSE(retry.keeps_statement());
    retry.from_client('Q', "SELECT 1", true, true);  // no terminating NUL
    EXPECT_FALSE(retry.keeps_statement());
    retry.from_client('P', query_body("SELECT 1"), true, true);
    EXPECT_FALSE(retry.keeps_statement());
    retry.from_client(
        'Q', query_body("SELECT '" + std::string(statement_retry::max_statement, 'x') + "'"), true,
        true);
    EXPECT_FALSE(retry.keeps_statement());
}

TEST(statement_retry, RunsAgainOnlyStatementsThatAreOneTransaction) {
    for (const char* sql :
         {"SELECT 1", "insert into t values (1) returning *", "UPDATE t SET x = 2", "DELETE FROM t",
          "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "VALUES (1)", "TABLE t",
          "MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED THEN DO NOTHING",
          "  /* c */ SELECT 1;"}) {
        EXPECT_TRUE(may_run_again(sql)) << sql;
    }
    for (const char* sql :
         {"CALL p()", "DO $$ BEGIN COMMIT; END $$", "VACUUM t",
          "CREATE INDEX CONCURRENTLY i ON t (x)", "COMMIT", "BEGIN", "SET x = 1",
          "SELECT 1; SELECT 2", "INSERT INTO t VALUES (1); COMMIT", "SELECT pg_advisory_lock(1)",
          "SELECT * INTO TEMP t2 FROM t", "SELECT 'unterminated", "", ";"}) {
        EXPECT_FALSE(may_run_again(sql)) << sql;
    }
}

}  // namespace
}  // namespace pgroute::proxy
