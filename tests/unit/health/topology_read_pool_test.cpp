// The topology rules on the read pool: which replicas are readable, by lag in bytes and in time,
// role, state and tags, with rise and fall.
#include <gtest/gtest.h>

#include <random>

#include "health/topology/rules.h"
#include "tests/unit/health/topology_rules_fixture.h"

namespace pgroute::health {
namespace {

using namespace std::chrono_literals;
using namespace testing;

TEST(topology_rules, AGoodReplicaIsReadableAtOnceAtStartUp) {
    rule_rounds rounds;
    const topology_snapshot& topology = rounds.run({leader("pg1", 100), replica("pg2", 100)});
    EXPECT_EQ(readable(topology), std::vector<std::string>{"pg2"});
    EXPECT_TRUE(node(topology, "pg2").up);
    EXPECT_EQ(node(topology, "pg2").lag_bytes, 0u);
    EXPECT_TRUE(node(topology, "pg2").not_readable_reason.empty());
}

TEST(topology_rules, AReplicaOverTheLagBoundLeavesAtOnceAndRejoinsAfterRise) {
    rule_rounds rounds;
    EXPECT_EQ(readable(rounds.run({leader("pg1", 100 * mib), replica("pg2", 100 * mib)})),
              std::vector<std::string>{"pg2"});

    const topology_snapshot& behind =
        rounds.run({leader("pg1", 132 * mib), replica("pg2", 100 * mib)});
    EXPECT_TRUE(readable(behind).empty());
    EXPECT_EQ(node(behind, "pg2").not_readable_reason, "lag 33554432 bytes > max_lag 1048576");
    EXPECT_EQ(node(behind, "pg2").lag_bytes, 32 * mib);
    ASSERT_EQ(rounds.events().size(), 1u);
    EXPECT_EQ(rounds.events()[0].kind, topology_event_kind::left_read_pool);
    EXPECT_EQ(rounds.events()[0].node, "pg2");
    EXPECT_EQ(rounds.events()[0].reason, "lag 33554432 bytes > max_lag 1048576");

    const topology_snapshot& rising =
        rounds.run({leader("pg1", 132 * mib), replica("pg2", 132 * mib)});
    EXPECT_TRUE(readable(rising).empty());
    EXPECT_EQ(node(rising, "pg2").not_readable_reason, "rising (1 of 2 good polls)");
    EXPECT_TRUE(rounds.events().empty());

    EXPECT_EQ(readable(rounds.run({leader("pg1", 132 * mib), replica("pg2", 132 * mib)})),
              std::vector<std::string>{"pg2"});
    ASSERT_EQ(rounds.events().size(), 1u);
    EXPECT_EQ(rounds.events()[0].kind, topology_event_kind::joined_read_pool);
}

TEST(topology_rules, LagEqualToTheBoundIsWithinIt) {
    rule_rounds rounds;
    EXPECT_EQ(readable(rounds.run({leader("pg1", 3 * mib), replica("pg2", 2 * mib)})),
              std::vector<std::string>{"pg2"});
}

TEST(topology_rules, AnUnreachableReplicaLeavesOnlyAfterFall) {
    rule_rounds rounds;
    rounds.run({leader("pg1", 100), replica("pg2", 100)});
    EXPECT_EQ(readable(rounds.run({leader("pg1", 100), failed("pg2", poll_outcome::unreachable)})),
              std::vector<std::string>{"pg2"});
    EXPECT_EQ(readable(rounds.run({leader("pg1", 100), failed("pg2", poll_outcome::unreachable)})),
              std::vector<std::string>{"pg2"});
    EXPECT_TRUE(rounds.events().empty());

    const topology_snapshot& gone =
        rounds.run({leader("pg1", 100), failed("pg2", poll_outcome::unreachable)});
    EXPECT_TRUE(readable(gone).empty());
    EXPECT_EQ(node(gone, "pg2").not_readable_reason, "unreachable (3 polls)");
    ASSERT_EQ(rounds.events().size(), 1u);
    EXPECT_EQ(describe(rounds.events()[0]), "pg2 left the read pool: unreachable (3 polls)");
}

TEST(topology_rules, AReplicaThatNeverAnsweredIsNotReadable) {
    rule_rounds rounds;
    const topology_snapshot& topology =
        rounds.run({leader("pg1", 100), failed("pg2", poll_outcome::timeout)});
    EXPECT_TRUE(readable(topology).empty());
    EXPECT_EQ(node(topology, "pg2").not_readable_reason, "timeout (1 poll)");
    EXPECT_EQ(node(topology, "pg2").role, node_role::unknown);
}

TEST(topology_rules, AReplicaThatSaysItIsTheLeaderLeavesTheReadPoolAtOnce) {
    rule_rounds rounds;
    rounds.run({leader("pg1", 100), replica("pg2", 100)});
    const topology_snapshot& topology = rounds.run({leader("pg1", 100), leader("pg2", 100)});
    EXPECT_TRUE(readable(topology).empty());
    EXPECT_EQ(node(topology, "pg2").not_readable_reason, "is the leader");
}

TEST(topology_rules, ANodeThatIsNotARunningReplicaIsNotReadable) {
    rule_rounds rounds;
    node_observation starting = replica("pg2", 100);
    starting.status.state = "starting";
    node_observation standby = replica("pg3", 100);
    standby.status.role = node_role::standby_leader;
    const node_observation demoted =
        answered("pg4", {.role = node_role::demoted, .state = "stopped"});
    const topology_snapshot& topology =
        rounds.run({leader("pg1", 100), starting, standby, demoted});
    EXPECT_TRUE(readable(topology).empty());
    EXPECT_EQ(node(topology, "pg2").not_readable_reason, "state starting");
    EXPECT_EQ(node(topology, "pg3").not_readable_reason, "role standby_leader");
    EXPECT_EQ(node(topology, "pg4").not_readable_reason, "role demoted");
    EXPECT_FALSE(node(topology, "pg4").up);
}

TEST(topology_rules, AReplicaTaggedNoloadbalanceIsNotReadable) {
    rule_rounds rounds;
    node_observation tagged = replica("pg2", 100);
    tagged.status.tags.noloadbalance = true;
    const topology_snapshot& topology = rounds.run({leader("pg1", 100), tagged});
    EXPECT_TRUE(readable(topology).empty());
    EXPECT_EQ(node(topology, "pg2").not_readable_reason, "tag noloadbalance");
}

TEST(topology_rules, APausedReplayWithinTheBoundIsReadable) {
    rule_rounds rounds;
    node_observation paused = replica("pg2", 100);
    paused.status.replay_paused = true;
    EXPECT_EQ(readable(rounds.run({leader("pg1", 200), paused})), std::vector<std::string>{"pg2"});
}

TEST(topology_rules, LagIsMeasuredAgainstTheLeaderPositionOfTheSameRound) {
    rule_rounds rounds;
    const topology_snapshot& first = rounds.run({leader("pg1", 5000), replica("pg2", 3000)});
    EXPECT_EQ(node(first, "pg2").lag_bytes, 2000u);

    // The leader's last answer (5000) must not be compared with the replica's new position.
    const topology_snapshot& second =
        rounds.run({failed("pg1", poll_outcome::timeout), replica("pg2", 9000)});
    EXPECT_EQ(write_target(second), "pg1");
    EXPECT_FALSE(node(second, "pg2").lag_bytes);
}

TEST(topology_rules, WithoutALeaderPositionThisRoundLagIsUnknownAndNotReadable) {
    rule_rounds rounds;
    const topology_snapshot& topology =
        rounds.run({failed("pg1", poll_outcome::timeout), replica("pg2", 100)});
    EXPECT_TRUE(readable(topology).empty());
    EXPECT_EQ(node(topology, "pg2").not_readable_reason,
              "lag unknown (no leader location this round)");
}

TEST(topology_rules, AReplicaAheadOfTheLeadersEarlierAnswerHasNoLag) {
    rule_rounds rounds;
    EXPECT_EQ(node(rounds.run({leader("pg1", 100), replica("pg2", 150)}), "pg2").lag_bytes, 0u);
}

TEST(topology_rules, ANullReplayedTimestampIsWithinTheTimeBoundOnlyWithoutByteLag) {
    rule_rounds rounds({.max_lag_bytes = mib, .max_lag_time = 10s, .rise = 2, .fall = 3});
    const topology_snapshot& caught_up = rounds.run({leader("pg1", 100), replica("pg2", 100)});
    EXPECT_EQ(readable(caught_up), std::vector<std::string>{"pg2"});

    const topology_snapshot& behind = rounds.run({leader("pg1", 200), replica("pg2", 100)});
    EXPECT_TRUE(readable(behind).empty());
    EXPECT_EQ(node(behind, "pg2").not_readable_reason,
              "lag 100 bytes and no replayed_timestamp to bound max_lag_time 10 s");
}

TEST(topology_rules, AnOldReplayedTimestampOnACaughtUpReplicaIsWithinTheTimeBound) {
    // An idle leader commits nothing, so the last replayed commit ages while the replica is
    // current.
    rule_rounds rounds({.max_lag_bytes = mib, .max_lag_time = 10s, .rise = 2, .fall = 3});
    const topology_snapshot& topology =
        rounds.run({leader("pg1", 100), replica("pg2", 100, now - 1h)});
    EXPECT_EQ(readable(topology), std::vector<std::string>{"pg2"});
    EXPECT_EQ(node(topology, "pg2").lag_seconds, 0.0);
}

TEST(topology_rules, AReplicaReplayingTooOldTransactionsLeavesAtOnce) {
    rule_rounds rounds({.max_lag_bytes = mib, .max_lag_time = 10s, .rise = 2, .fall = 3});
    EXPECT_EQ(readable(rounds.run({leader("pg1", 200), replica("pg2", 100, now - 5s)})),
              std::vector<std::string>{"pg2"});
    const topology_snapshot& topology =
        rounds.run({leader("pg1", 300), replica("pg2", 100, now - 30s)});
    EXPECT_TRUE(readable(topology).empty());
    EXPECT_EQ(node(topology, "pg2").lag_seconds, 30.0);
    EXPECT_EQ(node(topology, "pg2").not_readable_reason,
              "replay 30.0 s behind > max_lag_time 10 s");
}

}  // namespace
}  // namespace pgroute::health
