#include "health/patroni/poll_pace.h"

#include <gtest/gtest.h>

namespace pgroute::health {
namespace {

using namespace std::chrono_literals;

Topology one_node(NodeRole role) {
    NodeView node;
    node.address.name = "pg1";
    node.role = role;
    node.up = true;
    Topology topology;
    topology.nodes.push_back(node);
    if (role == NodeRole::leader) {
        topology.write_target = 0;
    } else {
        topology.no_write_target_reason = "no node says leader";
    }
    return topology;
}

Topology with_leader() {
    return one_node(NodeRole::leader);
}

Topology without_leader() {
    return one_node(NodeRole::replica);
}

TEST(PollPace, ASettledClusterIsPolledAtTheUsualInterval) {
    const Topology topology = with_leader();
    EXPECT_EQ(next_round_delay(&topology, 1000ms, 250ms), 1000ms);
}

TEST(PollPace, WithoutAWriteTargetTheFastIntervalApplies) {
    const Topology topology = without_leader();
    EXPECT_EQ(next_round_delay(&topology, 1000ms, 250ms), 250ms);
}

TEST(PollPace, BeforeTheFirstRoundTheFastIntervalApplies) {
    EXPECT_EQ(next_round_delay(nullptr, 1000ms, 250ms), 250ms);
}

TEST(PollPace, AFastIntervalLongerThanTheUsualOneIsNotUsed) {
    const Topology topology = without_leader();
    EXPECT_EQ(next_round_delay(&topology, 100ms, 250ms), 100ms);
}

}  // namespace
}  // namespace pgroute::health
