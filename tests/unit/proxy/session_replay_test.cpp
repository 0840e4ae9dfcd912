#include "proxy/session/session_replay.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol/message_builder.h"

namespace pgroute::proxy {
namespace {

// Drives a session_replay as the relay would: the client's messages, then the node's answers.
struct conversation {
    session_replay replay{std::size_t{1024} * 1024};

    void client(const std::string& message) {
        replay.from_client(message[0], std::string_view(message).substr(5), true);
    }
    void node(char type, std::string_view body = {}) { replay.from_server(type, body); }

    void query(std::string_view sql) {
        client(protocol::message_builder('Q').cstring(sql).finish());
    }
    void ready(char status = 'I') { node('Z', std::string_view(&status, 1)); }
    // A statement that the node accepted, in autocommit.
    void run(std::string_view sql) {
        query(sql);
        node('C');
        ready();
    }
    void parse(std::string_view name, std::string_view sql) { client(parse_message(name, sql)); }
    static std::string parse_message(std::string_view name, std::string_view sql) {
        return protocol::message_builder('P').cstring(name).cstring(sql).u8(0).u8(0).finish();
    }
    void close(std::string_view name) {
        client(protocol::message_builder('C').u8('S').cstring(name).finish());
    }
    void sync() { client(protocol::message_builder('S').finish()); }
};

std::string query_message(std::string_view sql) {
    return protocol::message_builder('Q').cstring(sql).finish();
}

TEST(session_replay, AcceptedSettingsAreReplayedInOneQueryTheLatestValueOnce) {
    conversation c;
    c.run("SET application_name = 'a'");
    c.run("SET search_path = app");
    c.run("SET application_name = 'b'");
    c.run("RESET search_path");
    c.run("SET statement_timeout = 5000");
    EXPECT_FALSE(c.replay.pinned_by());
    EXPECT_EQ(c.replay.settings(), 2u);
    EXPECT_EQ(c.replay.rebuild_messages(),
              query_message("SET application_name = 'b'\n;SET statement_timeout = 5000\n;"));
    EXPECT_EQ(c.replay.rebuild_cycles(), 1u);
}

TEST(session_replay, NothingToReplayWithoutChanges) {
    conversation c;
    c.ready();  // the greeting's, before anything was asked
    c.run("SELECT 1");
    EXPECT_EQ(c.replay.rebuild_messages(), "");
    EXPECT_EQ(c.replay.rebuild_cycles(), 0u);
}

TEST(session_replay, ASetTheNodeRefusedIsNotKept) {
    conversation c;
    c.query("SET statement_timeout = 'soon'");
    c.node('E');
    c.ready();
    EXPECT_EQ(c.replay.settings(), 0u);
    EXPECT_FALSE(c.replay.pinned_by());
}

TEST(session_replay, ASetInsideATransactionBlockPins) {
    conversation c;
    c.run("BEGIN");
    c.query("SET search_path = app");
    c.node('C');
    c.ready('T');
    EXPECT_EQ(c.replay.pinned_by(), "a SET inside a transaction block");
    EXPECT_EQ(c.replay.rebuild_messages(), "");
}

TEST(session_replay, ResetAllForgetsAllButTheRole) {
    conversation c;
    c.run("SET ROLE reader");
    c.run("SET work_mem = '8MB'");
    c.run("RESET ALL");
    EXPECT_EQ(c.replay.rebuild_messages(), query_message("SET ROLE reader\n;"));
}

TEST(session_replay, DiscardAllForgetsSettingsAndPreparedStatements) {
    conversation c;
    c.run("SET ROLE reader");
    c.parse("s", "SELECT 1");
    c.sync();
    c.node('1');
    c.ready();
    c.run("DISCARD ALL");
    EXPECT_EQ(c.replay.rebuild_messages(), "");
    EXPECT_EQ(c.replay.prepared_statements(), 0u);
    c.run("SET work_mem = '8MB'");
    EXPECT_EQ(c.replay.rebuild_messages(), query_message("SET work_mem = '8MB'\n;"));
}

TEST(session_replay, EachSetOfAQueryWithSeveralIsKeptAsItsOwnStatement) {
    conversation c;
    c.query("SET search_path = app; SELECT 1; SET work_mem = '8MB'");
    c.node('C');
    c.node('T');
    c.node('D');
    c.node('C');
    c.node('C');
    c.ready();
    EXPECT_FALSE(c.replay.pinned_by());
    EXPECT_EQ(c.replay.rebuild_messages(),
              query_message("SET search_path = app\n; SET work_mem = '8MB'\n;"));
    EXPECT_EQ(c.replay.settings(), 2u);
}

TEST(session_replay, NamedStatementsAreKeptAtTheirParseCompleteAndForgottenAtClose) {
    conversation c;
    c.parse("s1", "SELECT $1::int");
    c.parse("", "SELECT 2");  // unnamed: not kept, but answered in turn
    c.parse("s2", "SELECT 3");
    c.sync();
    c.node('1');
    c.node('1');
    c.node('1');
    c.ready();
    EXPECT_EQ(c.replay.prepared_statements(), 2u);
    c.close("s1");
    c.sync();
    c.node('3');
    c.ready();
    EXPECT_EQ(c.replay.prepared_statements(), 1u);
    EXPECT_EQ(c.replay.rebuild_messages(), conversation::parse_message("s2", "SELECT 3") +
                                               protocol::message_builder('S').finish());
    EXPECT_EQ(c.replay.rebuild_cycles(), 1u);
}

TEST(session_replay, AnErrorSkipsTheRestOfItsCycleOnly) {
    conversation c;
    c.parse("bad", "SELEC 1");
    c.parse("skipped", "SELECT 1");
    c.sync();
    c.parse("next", "SELECT 2");  // pipelined: its own cycle
    c.sync();
    c.node('E');
    c.ready();
    c.node('1');
    c.ready();
    EXPECT_EQ(c.replay.prepared_statements(), 1u);
    EXPECT_EQ(c.replay.rebuild_messages(), conversation::parse_message("next", "SELECT 2") +
                                               protocol::message_builder('S').finish());
}

TEST(session_replay, AStatementIsReplayedAfterTheSettingsItWasParsedUnder) {
    conversation c;
    c.run("SET search_path = a");
    c.parse("s", "SELECT * FROM t");
    c.sync();
    c.node('1');
    c.ready();
    c.run("SET search_path = b");
    // s resolves t in a: the earlier value stays, before it.
    EXPECT_EQ(c.replay.rebuild_messages(), query_message("SET search_path = a\n;") +
                                               conversation::parse_message("s", "SELECT * FROM t") +
                                               protocol::message_builder('S').finish() +
                                               query_message("SET search_path = b\n;"));
    EXPECT_EQ(c.replay.rebuild_cycles(), 3u);
}

TEST(session_replay, WhatCannotBeRebuiltPinsAndFreesWhatWasKept) {
    conversation c;
    c.run("SET search_path = app");
    c.run("CREATE TEMP TABLE t (x int)");
    EXPECT_EQ(c.replay.pinned_by(), "temporary objects");
    EXPECT_EQ(c.replay.rebuild_messages(), "");
    EXPECT_FALSE(c.replay.wants_client_body('Q'));

    conversation extended;
    extended.parse("", "SET search_path = app");
    EXPECT_EQ(extended.replay.pinned_by(), "a SET through the extended query protocol");

    conversation call;
    call.client(protocol::message_builder('F').u32(1).finish());
    EXPECT_EQ(call.replay.pinned_by(), "a FunctionCall message");

    conversation cut_short;
    const std::string query = query_message("SET a.b = 1");
    cut_short.replay.from_client('Q', std::string_view(query).substr(5, 3), false);
    EXPECT_EQ(cut_short.replay.pinned_by(), "a statement too long to look at");
}

TEST(session_replay, MoreStateThanItsLimitPins) {
    session_replay replay(64);
    const std::string set = query_message("SET application_name = '" + std::string(60, 'x') + "'");
    replay.from_client('Q', std::string_view(set).substr(5), true);
    EXPECT_EQ(replay.pinned_by(), "more session state than limits.max_session_state");
}

}  // namespace
}  // namespace pgroute::proxy
