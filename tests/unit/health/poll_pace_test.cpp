#include "health/patroni/poll_pace.h"

#include <gtest/gtest.h>

namespace pgroute::health {
namespace {

using namespace std::chrono_literals;

topology_snapshot one_node(node_role role) {
    node_view node;
    node.address.name = "pg1";
    node.role = role;
    node.up = true;
    topology_snapshot topology;
    topology.nodes.push_back(node);
    if (role == node_role::leader) {
        topology.write_target = 0;
    } else {
        topology.no_write_target_reason = "no node says leader";
    }
    return topology;
}

topology_snapshot with_leader() {
    return one_node(node_role::leader);
}

topology_snapshot without_leader() {
    return one_node(node_role::replica);
}

TEST(poll_pace, ASettledClusterIsPolledAtTheUsualInterval) {
    const topology_snapshot topology = with_leader();
    EXPECT_EQ(next_round_delay(&topology, 1000ms, 250ms), 1000ms);
}

TEST(poll_pace, WithoutAWriteTargetTheFastIntervalApplies) {
    const topology_snapshot topology = without_leader();
    EXPECT_EQ(next_round_delay(&topology, 1000ms, 250ms), 250ms);
}

TEST(poll_pace, BeforeTheFirstRoundTheFastIntervalApplies) {
    EXPECT_EQ(next_round_delay(nullptr, 1000ms, 250ms), 250ms);
}

TEST(poll_pace, AFastIntervalLongerThanTheUsualOneIsNotUsed) {
    const topology_snapshot topology = without_leader();
    EXPECT_EQ(next_round_delay(&topology, 100ms, 250ms), 100ms);
}

}  // namespace
}  // namespace pgroute::health
