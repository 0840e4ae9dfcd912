#include <gtest/gtest.h>

#include <random>

#include "health/topology/rules.h"

namespace pgroute::health {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;

constexpr std::uint64_t mib = 1 << 20;
const system_clock::time_point now = system_clock::time_point{} + 1'700'000'000s;

node_observation answered(std::string name, node_status status) {
    node_observation observation;
    observation.address = {.name = std::move(name), .host = "127.0.0.1", .port = 5432};
    observation.outcome = poll_outcome::ok;
    observation.status = std::move(status);
    return observation;
}

node_observation leader(std::string name, std::uint64_t location, std::string state = "running") {
    return answered(std::move(name), {.role = node_role::leader,
                                      .state = std::move(state),
                                      .timeline = 1,
                                      .leader_location = location});
}

node_observation replica(std::string name, std::uint64_t replayed,
                         std::optional<system_clock::time_point> replayed_timestamp = {}) {
    return answered(std::move(name), {.role = node_role::replica,
                                      .state = "running",
                                      .timeline = 1,
                                      .received_location = replayed,
                                      .replayed_location = replayed,
                                      .replayed_timestamp = replayed_timestamp});
}

node_observation failed(std::string name, poll_outcome outcome) {
    node_observation observation;
    observation.address = {.name = std::move(name), .host = "127.0.0.1", .port = 5432};
    observation.outcome = outcome;
    return observation;
}

// Feeds successive rounds through the rules the way the monitor does.
class rule_rounds {
  public:
    explicit rule_rounds(rules_config config = {.max_lag_bytes = mib, .rise = 2, .fall = 3})
        : config_(config) {}

    const topology_snapshot& run(const std::vector<node_observation>& round,
                                 system_clock::time_point at = now) {
        last_ = apply_round(config_, state_, round, at);
        state_ = last_.state;
        return *last_.snapshot;
    }

    const std::vector<topology_event>& events() const { return last_.events; }

  private:
    rules_config config_;
    hysteresis_state state_;
    round_result last_;
};

std::string write_target(const topology_snapshot& topology) {
    return topology.leader() ? topology.leader()->address.name : "none";
}

std::vector<std::string> readable(const topology_snapshot& topology) {
    std::vector<std::string> names;
    for (const std::size_t i : topology.readable)
        names.push_back(topology.nodes[i].address.name);
    return names;
}

const node_view& node(const topology_snapshot& topology, std::string_view name) {
    for (const node_view& view : topology.nodes) {
        if (view.address.name == name) return view;
    }
    throw std::out_of_range(std::string(name));
}

TEST(topology_rules, TheSingleRunningLeaderIsTheWriteTarget) {
    rule_rounds rounds;
    const topology_snapshot& topology = rounds.run({replica("pg2", 100), leader("pg1", 100)});
    EXPECT_EQ(write_target(topology), "pg1");
    EXPECT_EQ(topology.write_target, 1u);
    EXPECT_TRUE(topology.no_write_target_reason.empty());
    EXPECT_EQ(node(topology, "pg1").not_readable_reason, "is the leader");
    EXPECT_FALSE(node(topology, "pg1").readable);
}

TEST(topology_rules, TwoLeadersGiveNoWriteTarget) {
    rule_rounds rounds;
    const topology_snapshot& topology = rounds.run({leader("pg1", 100), leader("pg2", 100)});
    EXPECT_FALSE(topology.write_target);
    EXPECT_EQ(topology.no_write_target_reason, "two nodes claim the leader role: pg1, pg2");
}

TEST(topology_rules, ALeaderThatIsStoppingIsNoWriteTarget) {
    rule_rounds rounds;
    const topology_snapshot& topology =
        rounds.run({leader("pg1", 100, "stopping"), replica("pg2", 100)});
    EXPECT_FALSE(topology.write_target);
    EXPECT_EQ(topology.no_write_target_reason, "no running leader (pg1: state stopping)");
}

TEST(topology_rules, NoLeaderAtAllSaysSo) {
    rule_rounds rounds;
    const topology_snapshot& topology = rounds.run({replica("pg1", 100), replica("pg2", 100)});
    EXPECT_FALSE(topology.write_target);
    EXPECT_EQ(topology.no_write_target_reason, "no running leader");
}

TEST(topology_rules, ANewLeaderIsAcceptedAtOnceAfterASwitchover) {
    rule_rounds rounds;
    EXPECT_EQ(write_target(rounds.run({leader("pg1", 100), replica("pg2", 100)})), "pg1");
    // Patroni 3.0.2 mid-switchover: the old leader stops, the new one still says replica.
    EXPECT_EQ(write_target(rounds.run({leader("pg1", 200, "stopping"), replica("pg2", 200)})),
              "none");
    EXPECT_EQ(write_target(rounds.run({failed("pg1", poll_outcome::timeout), leader("pg2", 300)})),
              "pg2");
    EXPECT_EQ(write_target(rounds.run({replica("pg1", 300), leader("pg2", 300)})), "pg2");
}

TEST(topology_rules, ANewLeaderNeedsNoRiseRounds) {
    rule_rounds rounds;
    EXPECT_EQ(write_target(rounds.run({replica("pg1", 100), replica("pg2", 100)})), "none");
    EXPECT_EQ(write_target(rounds.run({replica("pg1", 100), leader("pg2", 100)})), "pg2");
}

TEST(topology_rules, AnUnreachableLeaderStaysTheWriteTargetUntilFall) {
    rule_rounds rounds;
    EXPECT_EQ(write_target(rounds.run({leader("pg1", 100)})), "pg1");
    EXPECT_EQ(write_target(rounds.run({failed("pg1", poll_outcome::unreachable)})), "pg1");
    EXPECT_EQ(write_target(rounds.run({failed("pg1", poll_outcome::timeout)})), "pg1");
    const topology_snapshot& topology = rounds.run({failed("pg1", poll_outcome::timeout)});
    EXPECT_EQ(write_target(topology), "none");
    EXPECT_EQ(topology.no_write_target_reason, "no running leader (pg1: timeout (3 polls))");
    EXPECT_FALSE(node(topology, "pg1").up);
    EXPECT_EQ(node(topology, "pg1").state, "timeout");
}

TEST(topology_rules, AnAnswerResetsTheFailedPollCount) {
    rule_rounds rounds;
    rounds.run({leader("pg1", 100)});
    rounds.run({failed("pg1", poll_outcome::timeout)});
    rounds.run({failed("pg1", poll_outcome::timeout)});
    rounds.run({leader("pg1", 100)});
    rounds.run({failed("pg1", poll_outcome::timeout)});
    EXPECT_EQ(write_target(rounds.run({failed("pg1", poll_outcome::timeout)})), "pg1");
}

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

TEST(topology_rules, TheGenerationGrowsByOnePerSnapshot) {
    rule_rounds rounds;
    EXPECT_EQ(rounds.run({leader("pg1", 1)}).generation, 1u);
    EXPECT_EQ(rounds.run({leader("pg1", 1)}).generation, 2u);
    EXPECT_EQ(rounds.run({failed("pg1", poll_outcome::timeout)}).generation, 3u);
}

TEST(topology_rules, MembersJoinAndLeaveWithTheObservations) {
    rule_rounds rounds;
    rounds.run({leader("pg1", 100), replica("pg2", 100)});
    const topology_snapshot& joined =
        rounds.run({leader("pg1", 100), replica("pg2", 100), replica("pg3", 100)});
    EXPECT_EQ(readable(joined), (std::vector<std::string>{"pg2", "pg3"}));

    const topology_snapshot& left = rounds.run({leader("pg1", 100), replica("pg2", 100)});
    EXPECT_EQ(left.nodes.size(), 2u);
    EXPECT_EQ(readable(left), std::vector<std::string>{"pg2"});
    ASSERT_EQ(rounds.events().size(), 1u);
    EXPECT_EQ(describe(rounds.events()[0]), "pg3 left the read pool: no longer a cluster member");
}

TEST(topology_rules, ADemotionEmitsAWriteTargetChange) {
    rule_rounds rounds;
    rounds.run({leader("pg1", 100), replica("pg2", 100)});
    EXPECT_EQ(write_target(rounds.run({leader("pg1", 100, "stopping"), replica("pg2", 100)})),
              "none");
    ASSERT_EQ(rounds.events().size(), 1u);
    const topology_event& demotion = rounds.events()[0];
    EXPECT_EQ(demotion.kind, topology_event_kind::write_target_changed);
    EXPECT_EQ(demotion.previous_write_target, "pg1");
    EXPECT_EQ(demotion.node, "");
    EXPECT_EQ(demotion.reason, "no running leader (pg1: state stopping)");

    rounds.run({replica("pg1", 100), leader("pg2", 100)});
    ASSERT_FALSE(rounds.events().empty());
    EXPECT_EQ(describe(rounds.events()[0]), "write target none -> pg2: pg2 is the running leader");
}

TEST(topology_rules, NeverAWriteTargetUnlessExactlyOneTrustedNodeClaimsToBeTheRunningLeader) {
    // Random rounds of three nodes: whatever the history, a write target must be the only node
    // whose trusted status is leader and running.
    std::mt19937 random(20240101);
    const auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
    rule_rounds rounds;
    for (int i = 0; i < 3000; ++i) {
        std::vector<node_observation> round;
        for (const char* name : {"pg1", "pg2", "pg3"}) {
            switch (pick(4)) {
                case 0:
                    round.push_back(leader(name, 100, pick(3) == 0 ? "stopping" : "running"));
                    break;
                case 1:
                    round.push_back(failed(name, poll_outcome::timeout));
                    break;
                default:
                    round.push_back(replica(name, 100));
            }
        }
        const topology_snapshot& topology = rounds.run(round);
        int claimants = 0;
        for (const node_view& view : topology.nodes) {
            claimants += view.role == node_role::leader && view.state == "running";
        }
        if (topology.write_target) {
            ASSERT_EQ(claimants, 1) << "round " << i;
            EXPECT_EQ(topology.leader()->role, node_role::leader);
            EXPECT_EQ(topology.leader()->state, "running");
        } else {
            ASSERT_NE(claimants, 1) << "round " << i;
            EXPECT_FALSE(topology.no_write_target_reason.empty());
        }
    }
}

}  // namespace
}  // namespace pgroute::health
