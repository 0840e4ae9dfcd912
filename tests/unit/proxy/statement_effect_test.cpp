#include "proxy/session/statement_effect.h"

#include <gtest/gtest.h>

#include "proxy/session/statement_words.h"

namespace pgroute::proxy {
namespace {

using kind = statement_effect::kind;

std::string_view pin_of(std::string_view sql) {
    const statement_effect effect = statement_effect_of(sql);
    return effect.what == kind::pins ? effect.pin : std::string_view("(no pin)");
}

TEST(statement_effect, StatementsThatLeaveNothingBehindHaveNone) {
    for (const char* sql :
         {"SELECT 1", "INSERT INTO t VALUES (1)", "UPDATE t SET x = 1 WHERE id = 2",
          "BEGIN; UPDATE accounts SET balance = balance - 1; COMMIT", "SET LOCAL work_mem = '64MB'",
          "set transaction isolation level serializable", "SET CONSTRAINTS ALL DEFERRED",
          "BEGIN; SET LOCAL statement_timeout = 0; SELECT 1; COMMIT",
          "SELECT pg_advisory_xact_lock(1)", "SELECT settings FROM config", "", "   ;  ;", "SET"}) {
        EXPECT_EQ(statement_effect_of(sql).what, kind::none) << sql;
    }
}

TEST(statement_effect, ALoneSetOrResetNamesItsSetting) {
    const auto sets = [](std::string_view sql) {
        const statement_effect effect = statement_effect_of(sql);
        return effect.what == kind::sets ? effect.setting : "(not a SET: " + std::string(sql) + ")";
    };
    EXPECT_EQ(sets("SET search_path = app"), "search_path");
    EXPECT_EQ(sets("  set\nStatement_Timeout to 5000;"), "statement_timeout");
    EXPECT_EQ(sets("SET SESSION work_mem = '1MB'"), "work_mem");
    EXPECT_EQ(sets("SET \"Application_Name\" = 'x'"), "application_name");
    EXPECT_EQ(sets("SET myapp.tenant = '42'"), "myapp.tenant");
    EXPECT_EQ(sets("SET TIME ZONE 'UTC'"), "timezone");
    EXPECT_EQ(sets("SET SCHEMA 'app'"), "search_path");
    EXPECT_EQ(sets("SET NAMES 'UTF8'"), "client_encoding");
    EXPECT_EQ(sets("SET SESSION AUTHORIZATION alice"), "session_authorization");
    EXPECT_EQ(sets("SET ROLE reader"), "role");
    // A value's words are a literal's: they create nothing.
    EXPECT_EQ(sets("SET application_name = 'temp; advisory set_config'"), "application_name");
    EXPECT_EQ(sets("/* why */ SET search_path = temp_schema -- the job's"), "search_path");

    const statement_effect reset = statement_effect_of("RESET search_path");
    EXPECT_EQ(reset.what, kind::resets);
    EXPECT_EQ(reset.setting, "search_path");
    EXPECT_EQ(statement_effect_of("reset time zone").setting, "timezone");
    EXPECT_EQ(statement_effect_of("RESET ALL").what, kind::resets_all);
}

TEST(statement_effect, SessionStateThatCannotBeRebuiltPinsAndSaysWhy) {
    EXPECT_EQ(pin_of("SELECT 1; SET application_name = 'x'"), "SET");
    EXPECT_EQ(pin_of("SET a.b = 1; SET a.c = 2"), "SET");
    EXPECT_EQ(pin_of("RESET ALL; SELECT 1"), "RESET");
    EXPECT_EQ(pin_of("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"),
              "SET SESSION CHARACTERISTICS");
    EXPECT_EQ(pin_of("PREPARE q AS SELECT 1"), "PREPARE");
    EXPECT_EQ(pin_of("listen jobs"), "LISTEN");
    EXPECT_EQ(pin_of("DECLARE c CURSOR WITH HOLD FOR SELECT 1"), "a cursor (DECLARE)");
    EXPECT_EQ(pin_of("LOAD 'auto_explain'"), "LOAD");
    EXPECT_EQ(pin_of("DISCARD PLANS"), "DISCARD");
    EXPECT_EQ(pin_of("DEALLOCATE ALL"), "DEALLOCATE");
    EXPECT_EQ(pin_of("CREATE TEMP TABLE t (x int)"), "temporary objects");
    EXPECT_EQ(pin_of("SELECT * INTO TEMPORARY t FROM u"), "temporary objects");
    EXPECT_EQ(pin_of("SELECT pg_advisory_lock(42)"), "a session advisory lock");
    EXPECT_EQ(pin_of("SELECT PG_TRY_ADVISORY_LOCK(1)"), "a session advisory lock");
    EXPECT_EQ(pin_of("SELECT set_config('a.b', 'c', false)"), "set_config()");
    EXPECT_EQ(pin_of("SET x = 'unterminated"), "a statement pgroute could not read");
}

TEST(statement_effect, ErrsTowardsPinningOnWordsInStringsAndComments) {
    // A function or a DO block may run what a string holds.
    EXPECT_EQ(pin_of("SELECT 'temp'"), "temporary objects");
    EXPECT_EQ(pin_of("SELECT 1 -- temporary"), "temporary objects");
    EXPECT_EQ(pin_of("DO $$BEGIN CREATE TEMP TABLE t (x int); END$$"), "temporary objects");
}

TEST(statement_words, SplitsAtSemicolonsOutsideLiteralsIdentifiersAndComments) {
    const auto statements = statements_of(
        "SET a = 'x;y'; SELECT \"b;c\" /* ; /* nested ; */ */ FROM t -- ;\n"
        "; select E'\\';' , $tag$ ; $tag$, $1 ;; ",
        3);
    ASSERT_TRUE(statements);
    ASSERT_EQ(statements->size(), 3u);
    EXPECT_EQ((*statements)[0], (leading_words{"set", "a"}));
    EXPECT_EQ((*statements)[1], (leading_words{"select", "b;c", "from"}));
    EXPECT_EQ((*statements)[2], (leading_words{"select"}));
    for (const char* unterminated : {"SELECT 'x", "SELECT \"x", "SELECT /* x", "SELECT $a$ x"}) {
        EXPECT_FALSE(statements_of(unterminated, 3)) << unterminated;
    }
}

}  // namespace
}  // namespace pgroute::proxy
