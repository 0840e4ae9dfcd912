// The topology rules on the write target: which node is it, when it changes, and the snapshots
// and events around it. The read pool is topology_read_pool_test.cpp.
#include <gtest/gtest.h>

#include <random>

#include "health/topology/rules.h"
#include "tests/unit/health/topology_rules_fixture.h"

namespace pgroute::health {
namespace {

using namespace std::chrono_literals;
using namespace testing;

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
