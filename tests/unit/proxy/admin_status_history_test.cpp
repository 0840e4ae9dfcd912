// The charts' history: the fixed ring it keeps samples and events in, the events it derives
// from counters that rose between samples, and the sample it copies out of an admin snapshot.
#include <gtest/gtest.h>

#include "admin_sources_fixture.h"
#include "proxy/admin/bounded_ring.h"
#include "proxy/admin/history_sample.h"
#include "proxy/admin/status_history.h"

namespace pgroute::proxy {
namespace {

using namespace std::chrono_literals;
using health::node_role;
using testing::admin_fixture;
using testing::make_topology;

const auto t0 = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 50);

TEST(bounded_ring, KeepsTheLatestValuesOldestFirst) {
    bounded_ring<int> ring(3);
    EXPECT_TRUE(ring.empty());
    for (int i = 1; i <= 5; ++i)
        ring.push(i);
    ASSERT_EQ(ring.size(), 3u);
    EXPECT_EQ(ring.capacity(), 3u);
    EXPECT_EQ(ring[0], 3);
    EXPECT_EQ(ring[1], 4);
    EXPECT_EQ(ring[2], 5);
    EXPECT_EQ(ring.back(), 5);
}

TEST(bounded_ring, BelowCapacityHoldsEverything) {
    bounded_ring<int> ring(4);
    ring.push(7);
    ring.push(8);
    ASSERT_EQ(ring.size(), 2u);
    EXPECT_EQ(ring[0], 7);
    EXPECT_EQ(ring.back(), 8);
}

TEST(bounded_ring, RefusesZeroCapacity) {
    EXPECT_THROW(bounded_ring<int>(0), std::invalid_argument);
}

TEST(status_history, HoldsFifteenMinutesOfTenSecondSamples) {
    EXPECT_EQ(status_history::sample_capacity, 91u);
    status_history history;
    for (int i = 0; i < 200; ++i)
        history.record({t0 + i * status_history::sample_interval, {}, {}, "", 0, {}, 0, 0});
    ASSERT_EQ(history.samples().size(), 91u);
    EXPECT_EQ(history.samples().back().at - history.samples()[0].at, status_history::window);
}

history_sample counts_at(std::chrono::seconds after, std::uint64_t leader_changes,
                         std::uint64_t cuts, std::uint64_t moves, std::string leader = "pg1") {
    return {t0 + after, {}, {}, std::move(leader), leader_changes, {}, cuts, moves};
}

TEST(status_history, ACounterThatRoseBecomesAnEventAtTheSampleThatSawIt) {
    status_history history;
    history.record(counts_at(0s, 2, 5, 1));  // what happened before the first sample is no event
    history.record(counts_at(10s, 2, 5, 1));
    history.record(counts_at(20s, 3, 8, 1, "pg2"));
    history.record(counts_at(30s, 3, 8, 4, "pg2"));
    const auto& events = history.events();
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[0].at, t0 + 20s);
    EXPECT_EQ(events[0].kind, history_event_kind::leader_change);
    EXPECT_EQ(events[0].leader, "pg2");
    EXPECT_EQ(events[1].at, t0 + 20s);
    EXPECT_EQ(events[1].kind, history_event_kind::cut);
    EXPECT_EQ(events[1].count, 3u);
    EXPECT_EQ(events[2].at, t0 + 30s);
    EXPECT_EQ(events[2].kind, history_event_kind::move);
    EXPECT_EQ(events[2].count, 3u);
}

TEST(status_history, ALeaderChangeIsMarkedWhenTheHealthRoundSawIt) {
    status_history history;
    history.record(counts_at(0s, 0, 0, 0));
    auto changed = counts_at(10s, 1, 0, 0, "pg2");
    changed.last_leader_change_at = t0 + 4s;
    history.record(changed);
    auto stale = counts_at(20s, 2, 0, 0, "pg1");
    stale.last_leader_change_at = t0 + 4s;  // not inside (10 s, 20 s]: the sample's own time
    history.record(stale);
    ASSERT_EQ(history.events().size(), 2u);
    EXPECT_EQ(history.events()[0].at, t0 + 4s);
    EXPECT_EQ(history.events()[1].at, t0 + 20s);
}

TEST(status_history, ACounterReadOneBumpLowIsNoEvent) {
    status_history history;
    history.record(counts_at(0s, 0, 5, 0));
    history.record(counts_at(10s, 0, 4, 0));
    EXPECT_TRUE(history.events().empty());
}

TEST(history_sample, CopiesQueriesDurationsSessionsAndCountersFromTheSnapshot) {
    auto topology = make_topology({{"pg1", node_role::leader}, {"pg2", node_role::replica, true}});
    topology.nodes[1].lag_bytes = 4096;
    admin_fixture f(topology);
    auto& a = f.worker_a.route(0, "pg1");
    a.queries.add(10);
    observe_query_duration(a, 2ms);
    f.worker_b.route(0, "pg1").queries.add(5);
    auto& read = f.worker_b.route(1, "pg2");
    read.backend_opened.add(3);
    read.backend_closed.add(1);
    read.cuts_for(cut_reason::replica_lagging).add(2);
    read.cuts_for(cut_reason::shutdown).add(7);  // pgroute stopping: not a topology event
    f.worker_a.endpoint(0).moved(move_reason::leader_changed).add(4);

    const auto sample = take_history_sample(f.snapshot());
    ASSERT_EQ(sample.endpoints.size(), 2u);
    EXPECT_EQ(sample.endpoints[0].queries, 15u);
    EXPECT_EQ(sample.endpoints[1].queries, 0u);
    std::uint64_t timed = 0;
    for (const auto count : sample.endpoints[0].query_durations)
        timed += count;
    EXPECT_EQ(timed, 1u);
    ASSERT_EQ(sample.nodes.size(), 2u);
    EXPECT_EQ(sample.nodes[0].name, "pg1");
    EXPECT_FALSE(sample.nodes[0].lag_bytes);
    EXPECT_EQ(sample.nodes[1].sessions, 2u);
    EXPECT_EQ(sample.nodes[1].lag_bytes, 4096u);
    EXPECT_EQ(sample.leader, "pg1");
    EXPECT_EQ(sample.cuts, 2u);
    EXPECT_EQ(sample.moves, 4u);
}

}  // namespace
}  // namespace pgroute::proxy
