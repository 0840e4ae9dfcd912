#include "proxy/statement/statement_effect.h"

#include <gtest/gtest.h>

#include "proxy/statement/statement_words.h"

namespace pgroute::proxy {
namespace {

using change_kind = setting_change::kind;

std::string_view pin_of(std::string_view sql) {
    const statement_effect effect = statement_effect_of(sql);
    return effect.pin.empty() ? std::string_view("(no pin)") : effect.pin;
}

// The one change a text makes, as "sets name: text".
std::string change_of(std::string_view sql) {
    const statement_effect effect = statement_effect_of(sql);
    if (!effect.pin.empty() || effect.changes.size() != 1) {
        return "(not one change: " + std::string(sql) + ")";
    }
    const setting_change& change = effect.changes.front();
    const char* what = change.what == change_kind::sets         ? "sets"
                       : change.what == change_kind::resets     ? "resets"
                       : change.what == change_kind::resets_all ? "resets all"
                                                                : "discards all";
    return std::string(what) + " " + change.setting + ": " + change.text;
}

TEST(statement_effect, StatementsThatLeaveNothingBehindHaveNone) {
    for (const char* sql :
         {"SELECT 1", "INSERT INTO t VALUES (1)", "UPDATE t SET x = 1 WHERE id = 2",
          "BEGIN; UPDATE accounts SET balance = balance - 1; COMMIT", "SET LOCAL work_mem = '64MB'",
          "set transaction isolation level serializable", "SET CONSTRAINTS ALL DEFERRED",
          "BEGIN; SET LOCAL statement_timeout = 0; SELECT 1; COMMIT",
          "SELECT pg_advisory_xact_lock(1)", "SELECT pg_advisory_unlock(1)",
          "SELECT set_config('a.b', 'c', true)", "DECLARE c CURSOR FOR SELECT 1", "UNLISTEN *",
          "DISCARD PLANS", "DISCARD TEMP", "DISCARD SEQUENCES", "SELECT settings FROM config", "",
          "   ;  ;",
          // Words in literals and comments are read as what they are.
          "SELECT 'temp'", "SELECT 1 -- temporary", "SELECT 'pg_advisory_lock(1)'",
          "INSERT INTO log (what) VALUES ('SET search_path')", "UPDATE t\n   SET x = 1",
          "ALTER ROLE app SET search_path = app", "DO $$BEGIN INSERT INTO t VALUES (1); END$$"}) {
        const statement_effect effect = statement_effect_of(sql);
        EXPECT_TRUE(effect.leaves_nothing()) << sql << " pins: " << effect.pin;
    }
}

TEST(statement_effect, ASetOrResetNamesItsSettingAsPostgresqlResolvesIt) {
    EXPECT_EQ(change_of("SET search_path = app"), "sets search_path: SET search_path = app");
    EXPECT_EQ(change_of("  set\nStatement_Timeout to 5000;"),
              "sets statement_timeout:   set\nStatement_Timeout to 5000");
    EXPECT_EQ(change_of("SET SESSION work_mem = '1MB'"),
              "sets work_mem: SET SESSION work_mem = '1MB'");
    EXPECT_EQ(change_of("SET \"Application_Name\" = 'x'"),
              "sets application_name: SET \"Application_Name\" = 'x'");
    EXPECT_EQ(change_of("SET myapp.tenant = '42'"), "sets myapp.tenant: SET myapp.tenant = '42'");
    EXPECT_EQ(change_of("SET TIME ZONE 'UTC'"), "sets timezone: SET TIME ZONE 'UTC'");
    EXPECT_EQ(change_of("SET SCHEMA 'app'"), "sets search_path: SET SCHEMA 'app'");
    EXPECT_EQ(change_of("SET NAMES 'UTF8'"), "sets client_encoding: SET NAMES 'UTF8'");
    EXPECT_EQ(change_of("SET SESSION AUTHORIZATION alice"),
              "sets session_authorization: SET SESSION AUTHORIZATION alice");
    EXPECT_EQ(change_of("SET ROLE reader"), "sets role: SET ROLE reader");
    EXPECT_EQ(change_of("SET application_name = 'temp; advisory set_config'"),
              "sets application_name: SET application_name = 'temp; advisory set_config'");
    EXPECT_EQ(change_of("RESET search_path"), "resets search_path: RESET search_path");
    EXPECT_EQ(change_of("SET work_mem TO DEFAULT"), "resets work_mem: SET work_mem TO DEFAULT");
    EXPECT_EQ(change_of("reset time zone"), "resets timezone: reset time zone");
    EXPECT_EQ(change_of("RESET ALL"), "resets all : RESET ALL");
    EXPECT_EQ(change_of("DISCARD ALL"), "discards all : DISCARD ALL");
}

TEST(statement_effect, EachSetAmongOtherStatementsIsAChangeWithItsOwnText) {
    const statement_effect effect =
        statement_effect_of("SELECT 1; SET a.b = 1; set local a.c = 2;SET search_path = x, y");
    ASSERT_TRUE(effect.pin.empty()) << effect.pin;
    ASSERT_EQ(effect.changes.size(), 2u);
    EXPECT_EQ(effect.changes[0].setting, "a.b");
    EXPECT_EQ(effect.changes[0].text, " SET a.b = 1");
    EXPECT_EQ(effect.changes[1].setting, "search_path");
    EXPECT_EQ(effect.changes[1].text, "SET search_path = x, y");
}

TEST(statement_effect, SessionStateThatCannotBeRebuiltPinsAndSaysWhy) {
    EXPECT_EQ(pin_of("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"),
              "SET SESSION CHARACTERISTICS");
    EXPECT_EQ(pin_of("SET search_path FROM CURRENT"), "SET ... FROM CURRENT");
    EXPECT_EQ(pin_of("BEGIN; SET a.b = 1; COMMIT"),
              "a SET in the same Query as BEGIN, COMMIT or ROLLBACK");
    EXPECT_EQ(pin_of("PREPARE q AS SELECT 1"), "PREPARE");
    EXPECT_EQ(pin_of("listen jobs"), "LISTEN");
    EXPECT_EQ(pin_of("DECLARE c CURSOR WITH HOLD FOR SELECT 1"), "a WITH HOLD cursor");
    EXPECT_EQ(pin_of("LOAD 'auto_explain'"), "LOAD");
    EXPECT_EQ(pin_of("DEALLOCATE ALL"), "DEALLOCATE");
    EXPECT_EQ(pin_of("CREATE TEMP TABLE t (x int)"), "temporary objects");
    EXPECT_EQ(pin_of("create temporary view v as select 1"), "temporary objects");
    EXPECT_EQ(pin_of("CREATE TABLE pg_temp.t (x int)"), "temporary objects");
    EXPECT_EQ(pin_of("CREATE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql AS 'SELECT 1'"),
              "temporary objects");
    EXPECT_EQ(pin_of("SELECT * INTO TEMPORARY t FROM u"), "temporary objects");
    EXPECT_EQ(pin_of("WITH x AS (SELECT 1) SELECT * INTO TEMP t FROM x"), "temporary objects");
    EXPECT_EQ(pin_of("SELECT pg_advisory_lock(42)"), "a session advisory lock");
    EXPECT_EQ(pin_of("SELECT 1 WHERE PG_TRY_ADVISORY_LOCK(1)"), "a session advisory lock");
    EXPECT_EQ(pin_of("SELECT pg_catalog.pg_advisory_lock_shared(1, 2)"), "a session advisory lock");
    EXPECT_EQ(pin_of("SELECT set_config('a.b', 'c', false)"), "set_config()");
    EXPECT_EQ(pin_of("SELECT set_config('a.b', 'c', $1)"), "set_config()");
    EXPECT_EQ(pin_of("DO $$BEGIN CREATE TEMP TABLE t (x int); END$$"),
              "a DO block that may keep session state");
    // A DO block's SET may be its UPDATE's: pgroute does not parse PL/pgSQL, so it pins.
    EXPECT_EQ(pin_of("DO $$BEGIN UPDATE t SET x = 1; END$$"),
              "a DO block that may keep session state");
    EXPECT_EQ(pin_of("SET x = 'unterminated"), "a statement pgroute could not read");
    EXPECT_EQ(pin_of("SET search_path = app; SELEKT 1"), "a statement pgroute could not read");
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
