// pgroute's admin listener in static mode: the metrics that queries and sessions move, per
// endpoint and node, and the sessions /topology shows. The suite is admin_endpoints_fixture.h.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/integration/admin_endpoints_fixture.h"
#include "tests/integration/proxy_test_libpq.h"

namespace pgroute::test_support {
namespace {

TEST_F(admin_endpoints, SimpleAndExtendedQueryCyclesAndTransactionsAreCounted) {
    const auto queries = route_series("pgroute_queries_total", "write", "primary");
    const auto transactions = route_series("pgroute_transactions_total", "write", "primary");
    const auto timed = route_series("pgroute_query_duration_seconds_count", "write", "primary");
    const auto duration = route_series("pgroute_query_duration_seconds_sum", "write", "primary");
    const double queries_before = env().metric(queries);
    const double transactions_before = env().metric(transactions);
    const double timed_before = env().metric(timed);
    const double duration_before = env().metric(duration);
    {
        libpq_conn conn(env().write_conninfo());
        conn.exec("SELECT 1");                            // Query: 1 cycle, 1 transaction
        conn.exec("SELECT 2");                            // 1, 1
        (void)conn.exec_params("SELECT $1::int", {"3"});  // Parse/Bind/Execute/Sync: 1, 1
        conn.exec("BEGIN");                               // 1, 0
        conn.exec("SELECT 4");                            // 1, 0
        conn.exec("COMMIT");                              // 1, 1
    }
    EXPECT_EQ(env().metric(queries) - queries_before, 6);
    EXPECT_EQ(env().metric(transactions) - transactions_before, 4);
    EXPECT_EQ(env().metric(timed) - timed_before, 6);
    EXPECT_GT(env().metric(duration) - duration_before, 0);
}

TEST_F(admin_endpoints, EachSyncOfAPipelineIsOneTimedCycle) {
    const auto queries = route_series("pgroute_queries_total", "write", "primary");
    const auto timed = route_series("pgroute_query_duration_seconds_count", "write", "primary");
    const double queries_before = env().metric(queries);
    const double timed_before = env().metric(timed);
    {
        libpq_conn conn(env().write_conninfo());
        PGconn* raw = conn.raw();
        ASSERT_EQ(PQenterPipelineMode(raw), 1);
        // Two statements before the first Sync, then one more with its own Sync: 2 cycles.
        const char* value = "7";
        for (int i = 0; i < 2; ++i) {
            ASSERT_EQ(
                PQsendQueryParams(raw, "SELECT $1::int", 1, nullptr, &value, nullptr, nullptr, 0),
                1);
        }
        ASSERT_EQ(PQpipelineSync(raw), 1);
        ASSERT_EQ(PQsendQueryParams(raw, "SELECT $1::int", 1, nullptr, &value, nullptr, nullptr, 0),
                  1);
        ASSERT_EQ(PQpipelineSync(raw), 1);
        for (const int statements_before_sync : {2, 1}) {
            for (int i = 0; i < statements_before_sync; ++i) {
                auto result = next_result(raw);
                ASSERT_TRUE(result);
                EXPECT_EQ(PQresultStatus(result.get()), PGRES_TUPLES_OK);
                EXPECT_FALSE(next_result(raw));  // the end of that statement's results
            }
            auto sync = next_result(raw);
            ASSERT_TRUE(sync);
            EXPECT_EQ(PQresultStatus(sync.get()), PGRES_PIPELINE_SYNC);
        }
        ASSERT_EQ(PQexitPipelineMode(raw), 1);
    }
    EXPECT_EQ(env().metric(queries) - queries_before, 2);
    EXPECT_EQ(env().metric(timed) - timed_before, 2);
}

TEST_F(admin_endpoints, RelayedBytesAreCountedEachWay) {
    const auto from_client =
        "pgroute_relayed_bytes_total{endpoint=\"read\",node=\"replica1\","
        "direction=\"client_to_server\"}";
    const auto to_client =
        "pgroute_relayed_bytes_total{endpoint=\"read\",node=\"replica1\","
        "direction=\"server_to_client\"}";
    const double from_before = env().metric(from_client);
    const double to_before = env().metric(to_client);
    const std::string sql = "SELECT repeat('x', 200000)";
    {
        libpq_conn conn(env().read_conninfo());
        conn.exec(sql);
    }
    // The relay counts as it reads, so the closing Terminate may land a moment after the client
    // is gone.
    wait_until([&] { return env().metric(from_client) - from_before >= sql.size(); },
               metric_timeout, "the query's bytes are counted");
    const double sent = env().metric(from_client) - from_before;
    const double received = env().metric(to_client) - to_before;
    EXPECT_LT(sent, 1000);  // the query and a Terminate; the startup packet is not relayed
    EXPECT_GE(received, 200000);
    EXPECT_LT(received, 210000);  // the row plus authentication and parameter chatter
}

TEST_F(admin_endpoints, OpenSessionsFollowTheClientsOnTopologyAndMetrics) {
    const auto open = endpoint_series("pgroute_client_sessions_open", "read");
    const auto backends = route_series("pgroute_backend_connections", "read", "replica1");
    env().wait_for_metric(open, 0);  // earlier tests' sessions have all ended
    {
        std::vector<std::unique_ptr<libpq_conn>> sessions;
        for (int i = 0; i < 3; ++i) {
            sessions.push_back(std::make_unique<libpq_conn>(env().read_conninfo()));
            sessions.back()->exec("SELECT 1");
        }
        env().wait_for_metric(open, 3);
        EXPECT_EQ(env().metric(backends), 3);
        const auto nodes = get_json(env().admin_port, "/topology").at("nodes");
        EXPECT_EQ(nodes[1].at("sessions"), 3);
        EXPECT_EQ(nodes[0].at("sessions"), 0);
    }
    env().wait_for_metric(open, 0);
    EXPECT_EQ(env().metric(backends), 0);
}

}  // namespace
}  // namespace pgroute::test_support
