// What a client does over a session, relayed by pgroute to real PostgreSQL: routing by port,
// both query protocols, pipelining, COPY both ways, notifications, large results, errors,
// transactions, and a client that hangs up mid-query.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/proxy_test_cluster.h"
#include "tests/integration/proxy_test_libpq.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

using proxy_queries = shared_suite<proxied_cluster>;

// A name no other session carries, to find a session in pg_stat_activity.
std::string unique_application_name(std::string_view purpose) {
    return "pgroute_" + std::string(purpose) + "_" + std::to_string(::getpid());
}

// `rows` lines of COPY text format, "<id>\t<payload>\n", with payloads that vary in length and
// content (a fixed pseudo-random sequence) so that no chunk or frame boundary falls in the
// same place twice.
std::string copy_text(int rows) {
    static constexpr std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,;:-_";
    std::uint32_t state = 12345;
    const auto next = [&] { return state = state * 1664525u + 1013904223u; };
    std::string text;
    for (int id = 1; id <= rows; ++id) {
        text += std::to_string(id) + '\t';
        const std::size_t length = 50 + next() % 100;
        for (std::size_t i = 0; i < length; ++i)
            text += alphabet[next() % alphabet.size()];
        text += '\n';
    }
    return text;
}

std::string status_name(const PGresult* result) {
    return result ? PQresStatus(PQresultStatus(result)) : "no result";
}

TEST_F(proxy_queries, WritePortReachesThePrimary) {
    libpq_conn conn(env().write_conninfo());
    const sql_rows rows = conn.exec("SELECT pg_is_in_recovery(), inet_server_port()");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], "f");
    EXPECT_EQ(rows[0][1], std::to_string(env().cluster.port(pg_node::primary)));
}

TEST_F(proxy_queries, ReadPortReachesTheReplica) {
    libpq_conn conn(env().read_conninfo());
    const sql_rows rows = conn.exec("SELECT pg_is_in_recovery(), inet_server_port()");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], "t");
    EXPECT_EQ(rows[0][1], std::to_string(env().cluster.port(pg_node::replica)));
}

TEST_F(proxy_queries, SimpleQueryWithSeveralStatementsRunsThemAll) {
    libpq_conn conn(env().write_conninfo());
    const sql_rows rows = conn.exec(
        "CREATE TEMP TABLE simple_query (n int); INSERT INTO simple_query VALUES (1), (2), (3); "
        "SELECT sum(n), count(*) FROM simple_query");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0], (sql_row{"6", "3"}));
}

TEST_F(proxy_queries, ExtendedQueryBindsParametersIncludingNull) {
    libpq_conn conn(env().write_conninfo());
    const sql_rows rows = conn.exec_params("SELECT $1::int + $2::int, $3 || '!', $4::text IS NULL",
                                           {"40", "2", "über", "x"});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0], (sql_row{"42", "über!", "f"}));

    const char* null_param[] = {nullptr};
    const result_ptr result(PQexecParams(conn.raw(), "SELECT $1::text IS NULL", 1, nullptr,
                                         null_param, nullptr, nullptr, 0),
                            &PQclear);
    ASSERT_EQ(PQresultStatus(result.get()), PGRES_TUPLES_OK) << status_name(result.get());
    EXPECT_STREQ(PQgetvalue(result.get(), 0, 0), "t");
}

TEST_F(proxy_queries, PreparedStatementRunsRepeatedlyWithNewParameters) {
    libpq_conn conn(env().write_conninfo());
    const result_ptr prepared(
        PQprepare(conn.raw(), "times_seven", "SELECT $1::bigint * 7", 1, nullptr), &PQclear);
    ASSERT_EQ(PQresultStatus(prepared.get()), PGRES_COMMAND_OK)
        << PQresultErrorMessage(prepared.get());
    for (const long long n : {1LL, 6LL, 1'000'000'007LL}) {
        const std::string text = std::to_string(n);
        const char* values[] = {text.c_str()};
        const result_ptr result(
            PQexecPrepared(conn.raw(), "times_seven", 1, values, nullptr, nullptr, 0), &PQclear);
        ASSERT_EQ(PQresultStatus(result.get()), PGRES_TUPLES_OK)
            << PQresultErrorMessage(result.get());
        EXPECT_EQ(std::string(PQgetvalue(result.get(), 0, 0)), std::to_string(n * 7));
    }
}

TEST_F(proxy_queries, PipelineReturnsEveryResultInOrder) {
    libpq_conn conn(env().write_conninfo());
    PGconn* raw = conn.raw();
    ASSERT_EQ(PQenterPipelineMode(raw), 1);
    constexpr int queries = 20;
    for (int i = 0; i < queries; ++i) {
        const std::string value = std::to_string(i);
        const char* values[] = {value.c_str()};
        ASSERT_EQ(PQsendQueryParams(raw, "SELECT $1::int * $1::int", 1, nullptr, values, nullptr,
                                    nullptr, 0),
                  1)
            << PQerrorMessage(raw);
    }
    ASSERT_EQ(PQpipelineSync(raw), 1);

    for (int i = 0; i < queries; ++i) {
        const result_ptr result = next_result(raw);
        ASSERT_TRUE(result && PQresultStatus(result.get()) == PGRES_TUPLES_OK)
            << "query " << i << ": " << status_name(result.get());
        EXPECT_EQ(std::string(PQgetvalue(result.get(), 0, 0)), std::to_string(i * i));
        EXPECT_EQ(next_result(raw).get(), nullptr) << "query " << i << " has a second result";
    }
    const result_ptr sync = next_result(raw);
    ASSERT_TRUE(sync && PQresultStatus(sync.get()) == PGRES_PIPELINE_SYNC)
        << status_name(sync.get());
    EXPECT_EQ(PQexitPipelineMode(raw), 1);
    EXPECT_EQ(conn.exec_scalar("SELECT 'after the pipeline'"), "after the pipeline");
}

TEST_F(proxy_queries, CopyFromStdinStoresEveryByte) {
    const std::string data = copy_text(40'000);
    ASSERT_GT(data.size(), 3u << 20);
    libpq_conn conn(env().write_conninfo());
    conn.exec("CREATE TEMP TABLE copied_in (id int PRIMARY KEY, payload text)");
    const result_ptr started(PQexec(conn.raw(), "COPY copied_in FROM STDIN"), &PQclear);
    ASSERT_EQ(PQresultStatus(started.get()), PGRES_COPY_IN) << status_name(started.get());

    // An odd chunk size, so CopyData messages and rows never line up.
    put_copy_data(conn.raw(), data, 100'003);
    const result_ptr done = next_result(conn.raw());
    ASSERT_TRUE(done && PQresultStatus(done.get()) == PGRES_COMMAND_OK)
        << status_name(done.get()) << " " << PQerrorMessage(conn.raw());
    EXPECT_STREQ(PQcmdTuples(done.get()), "40000");
    EXPECT_EQ(next_result(conn.raw()).get(), nullptr);

    EXPECT_EQ(conn.exec_scalar("SELECT md5(string_agg(id || E'\\t' || payload || E'\\n', '' "
                               "ORDER BY id)) FROM copied_in"),
              md5_hex(data));
}

TEST_F(proxy_queries, CopyToStdoutDeliversEveryByte) {
    constexpr int rows = 120'000;
    std::string expected;
    for (int i = 1; i <= rows; ++i)
        expected += std::to_string(i) + '\t' + md5_hex(std::to_string(i)) + '\n';
    ASSERT_GT(expected.size(), 3u << 20);

    libpq_conn conn(env().write_conninfo());
    ASSERT_EQ(PQsendQuery(conn.raw(), ("COPY (SELECT i, md5(i::text) FROM generate_series(1, " +
                                       std::to_string(rows) + ") i ORDER BY i) TO STDOUT")
                                          .c_str()),
              1);
    const result_ptr started = next_result(conn.raw());
    ASSERT_TRUE(started && PQresultStatus(started.get()) == PGRES_COPY_OUT)
        << status_name(started.get());
    std::string received;
    int received_rows = 0;
    for (int i = 0; i <= rows; ++i) {
        const auto row = next_copy_row(conn.raw());
        if (!row) break;
        received += *row;
        ++received_rows;
    }
    EXPECT_EQ(received_rows, rows);
    EXPECT_EQ(received.size(), expected.size());
    EXPECT_EQ(md5_hex(received), md5_hex(expected));
    const result_ptr done = next_result(conn.raw());
    ASSERT_TRUE(done && PQresultStatus(done.get()) == PGRES_COMMAND_OK) << status_name(done.get());
    EXPECT_EQ(next_result(conn.raw()).get(), nullptr);
}

TEST_F(proxy_queries, NotificationReachesAListenerThroughTheProxy) {
    libpq_conn listener(env().write_conninfo());
    libpq_conn notifier(env().write_conninfo());
    listener.exec("LISTEN pgroute_channel");
    const auto notifier_pid = notifier.exec_scalar("SELECT pg_backend_pid()");
    notifier.exec("NOTIFY pgroute_channel, 'hello through the proxy'");

    const notify_ptr notification = next_notification(listener.raw(), 5s);
    EXPECT_STREQ(notification->relname, "pgroute_channel");
    EXPECT_STREQ(notification->extra, "hello through the proxy");
    EXPECT_EQ(std::to_string(notification->be_pid), notifier_pid);
}

TEST_F(proxy_queries, FiftyMegabyteResultArrivesComplete) {
    // Fifty rows of 1 MiB each: every DataRow is far larger than the proxy's 16 kB buffer.
    constexpr int rows = 50;
    constexpr int repeats = 32'768;  // times a 32-character md5
    libpq_conn conn(env().write_conninfo());
    const auto started = std::chrono::steady_clock::now();
    ASSERT_EQ(PQsendQuery(conn.raw(),
                          ("SELECT i, repeat(md5(i::text), " + std::to_string(repeats) +
                           ") FROM generate_series(1, " + std::to_string(rows) + ") i ORDER BY i")
                              .c_str()),
              1);
    const result_ptr result = next_result(conn.raw(), 60s);
    ASSERT_TRUE(result && PQresultStatus(result.get()) == PGRES_TUPLES_OK)
        << status_name(result.get()) << " " << PQerrorMessage(conn.raw());
    ASSERT_EQ(PQntuples(result.get()), rows);
    std::size_t total = 0;
    for (int row = 0; row < rows; ++row) {
        const std::string id = std::to_string(row + 1);
        EXPECT_EQ(std::string(PQgetvalue(result.get(), row, 0)), id);
        const std::string_view value(PQgetvalue(result.get(), row, 1),
                                     PQgetlength(result.get(), row, 1));
        std::string expected;
        const std::string digest = md5_hex(id);
        for (int i = 0; i < repeats; ++i)
            expected += digest;
        EXPECT_EQ(md5_hex(value), md5_hex(expected)) << "row " << id;
        total += value.size();
    }
    EXPECT_EQ(total, std::size_t{50} << 20);
    EXPECT_EQ(next_result(conn.raw()).get(), nullptr);
    std::cout << "50 MiB result through the proxy in "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
              << " s\n";
}

TEST_F(proxy_queries, DivisionByZeroFailsWith22012AndTheSessionGoesOn) {
    libpq_conn conn(env().write_conninfo());
    EXPECT_EQ(sqlstate_thrown_by([&] { conn.exec("SELECT 1 / 0"); }), "22012");
    EXPECT_EQ(PQtransactionStatus(conn.raw()), PQTRANS_IDLE);
    EXPECT_EQ(conn.exec_scalar("SELECT 'still usable'"), "still usable");
}

TEST_F(proxy_queries, RolledBackInsertLeavesNoRow) {
    libpq_conn conn(env().write_conninfo());
    conn.exec("CREATE TABLE rolled_back (n int)");
    conn.exec("BEGIN");
    conn.exec("INSERT INTO rolled_back VALUES (1)");
    EXPECT_EQ(conn.exec_scalar("SELECT count(*) FROM rolled_back"), "1");
    EXPECT_EQ(PQtransactionStatus(conn.raw()), PQTRANS_INTRANS);
    conn.exec("ROLLBACK");
    EXPECT_EQ(conn.exec_scalar("SELECT count(*) FROM rolled_back"), "0");
    EXPECT_EQ(env().direct_to_primary().exec_scalar("SELECT count(*) FROM rolled_back"), "0");
}

TEST_F(proxy_queries, ClientThatDisconnectsMidQueryReleasesItsBackend) {
    const std::string application = unique_application_name("hangs_up");
    // PostgreSQL notices a vanished client in the middle of a query only when told to look: the
    // backend then ends as soon as pgroute closes its side, and stays if pgroute does not.
    auto client =
        std::make_unique<libpq_conn>(env().write_conninfo() + " application_name=" + application +
                                     " options='-c client_connection_check_interval=100ms'");
    ASSERT_EQ(PQsendQuery(client->raw(), "SELECT pg_sleep(60)"), 1);

    libpq_conn direct = env().direct_to_primary();
    const auto sessions = [&](std::string_view condition) {
        return direct.exec_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name "
            "= $1" +
                std::string(condition),
            {application});
    };
    wait_until([&] { return sessions(" AND state = 'active'") == "1"; }, 10s,
               "the sleeping query runs on the primary");

    const auto hung_up = std::chrono::steady_clock::now();
    client.reset();
    wait_until([&] { return sessions("") == "0"; }, 10s,
               "the backend of the client that hung up is gone");
    std::cout << "backend gone "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - hung_up).count()
              << " s after the client hung up\n";
}

}  // namespace
}  // namespace pgroute::test_support
