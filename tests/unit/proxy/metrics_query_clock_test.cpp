#include <gtest/gtest.h>

#include "proxy/metrics/query_clock.h"

namespace pgroute::proxy {
namespace {

using namespace std::chrono_literals;
using protocol::transaction_status;
using time_point = query_clock::clock::time_point;

const time_point t0{};

std::uint64_t timed(const route_counters& c) {
    std::uint64_t sum = 0;
    for (const auto& bucket : c.query_duration_buckets)
        sum += bucket.value();
    return sum;
}

TEST(query_clock, QueryAndSyncAndFunctionCallStartCyclesOtherMessagesDoNot) {
    EXPECT_TRUE(starts_query_cycle('Q'));
    EXPECT_TRUE(starts_query_cycle('S'));
    EXPECT_TRUE(starts_query_cycle('F'));
    for (const char other : {'P', 'B', 'E', 'D', 'H', 'C', 'd', 'c', 'f', 'p', 'X'})
        EXPECT_FALSE(starts_query_cycle(other)) << other;
}

TEST(query_clock, ReadyForQueryEndsTheCycleAndRecordsItsDuration) {
    route_counters c;
    query_clock clock(c);
    clock.cycle_sent(t0);
    clock.ready_for_query(transaction_status::idle, t0 + 3ms);
    EXPECT_EQ(c.queries.value(), 1u);
    EXPECT_EQ(c.query_duration_nanoseconds.value(), 3'000'000u);
    EXPECT_EQ(timed(c), 1u);
    EXPECT_EQ(clock.in_flight(), 0u);
}

TEST(query_clock, ReadyForQueryWithoutACycleInFlightCountsNothing) {
    route_counters c;
    query_clock clock(c);
    clock.ready_for_query(transaction_status::idle, t0);  // the one that ends authentication
    EXPECT_EQ(c.queries.value(), 0u);
    EXPECT_EQ(c.transactions.value(), 0u);
    EXPECT_EQ(timed(c), 0u);
}

TEST(query_clock, PipelinedCyclesArePairedInOrder) {
    route_counters c;
    query_clock clock(c);
    clock.cycle_sent(t0);
    clock.cycle_sent(t0 + 1ms);
    clock.cycle_sent(t0 + 2ms);
    clock.ready_for_query(transaction_status::in_transaction, t0 + 10ms);  // 10 ms
    clock.ready_for_query(transaction_status::in_transaction, t0 + 11ms);  // 10 ms
    clock.ready_for_query(transaction_status::idle, t0 + 32ms);            // 30 ms
    EXPECT_EQ(c.queries.value(), 3u);
    EXPECT_EQ(c.query_duration_nanoseconds.value(), 50'000'000u);
}

TEST(query_clock, OnlyCyclesEndingIdleCountAsTransactions) {
    route_counters c;
    query_clock clock(c);
    for (const auto status : {transaction_status::in_transaction,  // BEGIN
                              transaction_status::in_transaction,  // INSERT
                              transaction_status::idle,            // COMMIT
                              transaction_status::idle,            // SELECT 1 on its own
                              transaction_status::failed,          // error inside a block
                              transaction_status::idle}) {         // ROLLBACK
        clock.cycle_sent(t0);
        clock.ready_for_query(status, t0 + 1ms);
    }
    EXPECT_EQ(c.queries.value(), 6u);
    EXPECT_EQ(c.transactions.value(), 3u);
}

TEST(query_clock, CyclesBeyondTheRingAreCountedButNotTimed) {
    route_counters c;
    query_clock clock(c);
    const std::size_t sent = query_clock::max_timed_in_flight + 5;
    for (std::size_t i = 0; i < sent; ++i)
        clock.cycle_sent(t0);
    EXPECT_EQ(clock.in_flight(), sent);
    for (std::size_t i = 0; i < sent; ++i)
        clock.ready_for_query(transaction_status::idle, t0 + 1ms);
    EXPECT_EQ(c.queries.value(), sent);
    EXPECT_EQ(timed(c), query_clock::max_timed_in_flight);
    EXPECT_EQ(clock.in_flight(), 0u);
    // A later cycle is timed again.
    clock.cycle_sent(t0);
    clock.ready_for_query(transaction_status::idle, t0 + 1ms);
    EXPECT_EQ(timed(c), query_clock::max_timed_in_flight + 1);
}

TEST(query_clock, RingWrapsAroundWithoutLosingOrder) {
    route_counters c;
    query_clock clock(c);
    // Keep two in flight while many pass, so the ring's start moves all the way round.
    clock.cycle_sent(t0);
    for (int i = 1; i <= 100; ++i) {
        clock.cycle_sent(t0 + std::chrono::milliseconds(i));
        clock.ready_for_query(transaction_status::idle, t0 + std::chrono::milliseconds(i + 1));
    }
    EXPECT_EQ(c.queries.value(), 100u);
    // Each answered cycle was sent 2 ms before its ReadyForQuery.
    EXPECT_EQ(c.query_duration_nanoseconds.value(), 200'000'000u);
}

}  // namespace
}  // namespace pgroute::proxy
