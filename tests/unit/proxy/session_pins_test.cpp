#include "proxy/session/session_pins.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol/message_builder.h"

namespace pgroute::proxy {
namespace {

using namespace std::string_literals;

TEST(session_pins, StatementsThatLeaveNothingBehindDoNotPin) {
    for (const char* sql :
         {"SELECT 1", "INSERT INTO t VALUES (1)", "UPDATE t SET x = 1 WHERE id = 2",
          "BEGIN; UPDATE accounts SET balance = balance - 1; COMMIT", "SET LOCAL work_mem = '64MB'",
          "set transaction isolation level serializable", "SET CONSTRAINTS ALL DEFERRED",
          "SELECT pg_advisory_xact_lock(1)", "SELECT settings FROM config", "", "   ;  ;"}) {
        EXPECT_FALSE(pinning_statement(sql).has_value()) << sql;
    }
}

TEST(session_pins, SessionStateStatementsPinAndSayWhy) {
    EXPECT_EQ(pinning_statement("SET search_path = app"), "SET");
    EXPECT_EQ(pinning_statement("  set\nstatement_timeout to 5000"), "SET");
    EXPECT_EQ(pinning_statement("SET SESSION work_mem = '1MB'"), "SET");
    EXPECT_EQ(pinning_statement("SELECT 1; SET application_name = 'x'"), "SET");
    EXPECT_EQ(pinning_statement("SET"), "SET");  // the node refuses it; pinning is still safe
    EXPECT_EQ(pinning_statement("RESET ALL"), "RESET");
    EXPECT_EQ(pinning_statement("PREPARE q AS SELECT 1"), "PREPARE");
    EXPECT_EQ(pinning_statement("listen jobs"), "LISTEN");
    EXPECT_EQ(pinning_statement("DECLARE c CURSOR WITH HOLD FOR SELECT 1"), "a cursor (DECLARE)");
    EXPECT_EQ(pinning_statement("LOAD 'auto_explain'"), "LOAD");
    EXPECT_EQ(pinning_statement("DISCARD PLANS"), "DISCARD");
    EXPECT_EQ(pinning_statement("DEALLOCATE ALL"), "DEALLOCATE");
    EXPECT_EQ(pinning_statement("CREATE TEMP TABLE t (x int)"), "temporary objects");
    EXPECT_EQ(pinning_statement("SELECT * INTO TEMPORARY t FROM u"), "temporary objects");
    EXPECT_EQ(pinning_statement("SELECT pg_advisory_lock(42)"), "a session advisory lock");
    EXPECT_EQ(pinning_statement("SELECT PG_TRY_ADVISORY_LOCK(1)"), "a session advisory lock");
    EXPECT_EQ(pinning_statement("SELECT set_config('a.b', 'c', false)"), "set_config()");
}

TEST(session_pins, ErrsTowardsPinningOnWordsInStringsAndComments) {
    EXPECT_TRUE(pinning_statement("SELECT 'temp'").has_value());
    EXPECT_TRUE(pinning_statement("SELECT 1 -- temporary").has_value());
}

TEST(session_pins, MessagesPinByTheirTextOrTheirStatementName) {
    const auto body_of = [](const std::string& message) { return message.substr(5); };
    const std::string query = body_of(protocol::message_builder('Q').cstring("SET x = 1").finish());
    EXPECT_EQ(pinning_message('Q', query, true), "SET");
    EXPECT_EQ(pinning_message('Q', query, false), "a statement too long to look at");

    const std::string unnamed = body_of(
        protocol::message_builder('P').cstring("").cstring("SELECT $1").u8(0).u8(0).finish());
    EXPECT_FALSE(pinning_message('P', unnamed, true).has_value());
    const std::string named = body_of(
        protocol::message_builder('P').cstring("s1").cstring("SELECT 1").u8(0).u8(0).finish());
    EXPECT_EQ(pinning_message('P', named, true), "a named prepared statement");

    EXPECT_FALSE(pinning_message('B', "anything"s, true).has_value());
    EXPECT_FALSE(pinning_message('Q', "no terminator"s, true).has_value());
}

}  // namespace
}  // namespace pgroute::proxy
