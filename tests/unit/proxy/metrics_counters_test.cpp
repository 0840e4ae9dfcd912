#include <gtest/gtest.h>

#include <thread>

#include "proxy/metrics/counters.h"
#include "proxy/metrics/totals.h"

namespace pgroute::proxy {
namespace {

using namespace std::chrono_literals;

std::size_t bucket_of(std::chrono::nanoseconds duration) {
    route_counters c;
    observe_query_duration(c, duration);
    for (std::size_t i = 0; i < c.query_duration_buckets.size(); ++i) {
        if (c.query_duration_buckets[i].value() == 1) return i;
    }
    return c.query_duration_buckets.size();
}

TEST(metrics_counters, ADurationOnABoundLandsInThatBucket) {
    EXPECT_EQ(bucket_of(100us), 0u);  // le="0.0001" includes 0.0001
    EXPECT_EQ(bucket_of(101us), 1u);
    EXPECT_EQ(bucket_of(1ms), 3u);
    EXPECT_EQ(bucket_of(0ns), 0u);
}

TEST(metrics_counters, ADurationBeyondTheLastBoundLandsInInf) {
    EXPECT_EQ(bucket_of(61s), query_duration_bucket_count - 1);
}

TEST(metrics_counters, ObservingAddsTheDurationToTheSum) {
    route_counters c;
    observe_query_duration(c, 2ms);
    observe_query_duration(c, 500us);
    EXPECT_EQ(c.query_duration_nanoseconds.value(), 2'500'000u);
}

TEST(metrics_counters, ARouteIsMadeOncePerNodeAndStaysWhereItIs) {
    worker_metrics metrics(2);
    auto& first = metrics.route(1, "pg1");
    for (int i = 0; i < 100; ++i)
        (void)metrics.route(0, "node" + std::to_string(i));
    EXPECT_EQ(&metrics.route(1, "pg1"), &first);
    EXPECT_NE(&metrics.route(0, "pg1"), &first);
}

TEST(metrics_counters, CountedOpenCountsTheOpeningNowAndTheClosingAtScopeEnd) {
    counter opened, closed;
    {
        const counted_open open(opened, closed);
        EXPECT_EQ(opened.value(), 1u);
        EXPECT_EQ(closed.value(), 0u);
    }
    EXPECT_EQ(closed.value(), 1u);
}

TEST(metrics_totals, SumsEveryWorkerPerEndpointAndPerNode) {
    worker_metrics a(2), b(2);
    a.endpoint(0).accepted.add(3);
    b.endpoint(0).accepted.add(4);
    b.endpoint(1).rejections(session_rejection::no_node).add();
    a.route(0, "pg1").queries.add(10);
    b.route(0, "pg1").queries.add(5);
    b.route(1, "pg2").bytes_from_server.add(99);
    const std::array<const worker_metrics*, 2> workers{&a, &b};

    const auto totals = sum_worker_metrics(workers, 2);

    EXPECT_EQ(totals.endpoints[0].accepted, 7u);
    EXPECT_EQ(totals.endpoints[1].rejected[static_cast<std::size_t>(session_rejection::no_node)],
              1u);
    ASSERT_EQ(totals.routes.count("pg1"), 1u);
    EXPECT_EQ(totals.routes.at("pg1")[0].queries, 15u);
    EXPECT_EQ(totals.routes.at("pg1")[1].queries, 0u);
    EXPECT_EQ(totals.routes.at("pg2")[1].bytes_from_server, 99u);
}

TEST(metrics_totals, SessionsOnANodeAreItsOpenBackendConnectionsOverAllEndpoints) {
    worker_metrics a(2);
    a.route(0, "pg1").backend_opened.add(5);
    a.route(0, "pg1").backend_closed.add(2);
    a.route(1, "pg1").backend_opened.add(1);
    const std::array<const worker_metrics*, 1> workers{&a};
    const auto totals = sum_worker_metrics(workers, 2);
    EXPECT_EQ(sessions_on_node(totals, "pg1"), 4u);
    EXPECT_EQ(sessions_on_node(totals, "pg9"), 0u);
}

TEST(metrics_totals, OpenCountNeverGoesBelowZero) {
    EXPECT_EQ(open_count(3, 5), 0u);
    EXPECT_EQ(open_count(5, 3), 2u);
}

// The scrape side runs while the worker keeps bumping and adding nodes: totals only grow.
TEST(metrics_totals, ScrapesDuringWritesSeeMonotonicTotals) {
    worker_metrics metrics(1);
    std::atomic<bool> done{false};
    std::thread writer([&] {
        for (int i = 0; i < 200'000; ++i) {
            metrics.route(0, "pg" + std::to_string(i % 50)).queries.add();
            metrics.endpoint(0).accepted.add();
        }
        done = true;
    });
    const std::array<const worker_metrics*, 1> workers{&metrics};
    std::uint64_t last = 0;
    for (int scrapes = 0; scrapes < 100'000 && !done; ++scrapes) {
        const auto totals = sum_worker_metrics(workers, 1);
        std::uint64_t queries = 0;
        for (const auto& [node, routes] : totals.routes)
            queries += routes[0].queries;
        EXPECT_GE(queries, last);
        last = queries;
    }
    writer.join();
    const auto final_totals = sum_worker_metrics(workers, 1);
    EXPECT_EQ(final_totals.endpoints[0].accepted, 200'000u);
    EXPECT_EQ(final_totals.routes.size(), 50u);
}

}  // namespace
}  // namespace pgroute::proxy
