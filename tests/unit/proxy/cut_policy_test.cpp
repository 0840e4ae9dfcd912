#include "proxy/routing/cut_policy.h"

#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "health/topology/drains.h"
#include "topology_builder.h"

namespace pgroute::proxy {
namespace {

using health::node_role;
using testing::make_topology;

endpoint_config write_ep() {
    return {"write", {"127.0.0.1", 5551}, route_kind::leader};
}
endpoint_config read_ep() {
    return {"read", {"127.0.0.1", 5552}, route_kind::replica};
}

TEST(cut_policy, LeaderSessionStaysWhileItsNodeLeads) {
    const auto t = make_topology({{"pg1", node_role::leader}, {"pg2", node_role::replica, true}});
    EXPECT_FALSE(decide_cut(session_role::leader, "pg1", write_ep(), t));
}

TEST(cut_policy, LeaderSessionIsCutWhenAnotherNodeLeads) {
    const auto t = make_topology({{"pg1", node_role::replica, true}, {"pg2", node_role::leader}});
    const auto order = decide_cut(session_role::leader, "pg1", write_ep(), t);
    ASSERT_TRUE(order);
    EXPECT_EQ(order->reason, cut_reason::leader_changed);
    EXPECT_FALSE(order->when_idle);
    EXPECT_EQ(order->message, "node \"pg1\" is no longer the leader (new leader: \"pg2\")");
}

// Before maintenance: whichever role the node has, its sessions go when idle, for the drain.
TEST(cut_policy, ASessionOnADrainedNodeIsCutWhenIdleForTheDrain) {
    auto t = make_topology({{"pg1", node_role::leader}, {"pg2", node_role::replica, true}});
    t = health::with_drains(t, {"pg1", "pg2"});
    for (const auto& [role, node, endpoint] :
         {std::tuple{session_role::leader, "pg1", write_ep()},
          std::tuple{session_role::replica, "pg2", read_ep()}}) {
        const auto order = decide_cut(role, node, endpoint, t);
        ASSERT_TRUE(order) << node;
        EXPECT_EQ(order->reason, cut_reason::drained);
        EXPECT_TRUE(order->when_idle);
        EXPECT_EQ(order->message, "node \"" + std::string(node) + "\" is drained by an operator");
    }
}

TEST(cut_policy, LeaderSessionIsCutWhenThereIsNoWriteTarget) {
    const auto t = make_topology({{"pg1", node_role::replica, true}});
    const auto order = decide_cut(session_role::leader, "pg1", write_ep(), t);
    ASSERT_TRUE(order);
    EXPECT_EQ(order->reason, cut_reason::no_write_target);
}

TEST(cut_policy, ReplicaSessionIsCutWhenItsNodeIsPromoted) {
    const auto t = make_topology({{"pg1", node_role::replica, true}, {"pg2", node_role::leader}});
    const auto order = decide_cut(session_role::replica, "pg2", read_ep(), t);
    ASSERT_TRUE(order);
    EXPECT_EQ(order->reason, cut_reason::node_promoted);
}

TEST(cut_policy, ReplicaSessionOnPromotedNodeStaysWhenConfigured) {
    const auto t = make_topology({{"pg2", node_role::leader}});
    auto ep = read_ep();
    ep.cut_on_promote = false;
    EXPECT_FALSE(decide_cut(session_role::replica, "pg2", ep, t));
}

TEST(cut_policy, ReplicaSessionIsCutWhenItsNodeLeftTheCluster) {
    const auto t = make_topology({{"pg1", node_role::leader}});
    const auto order = decide_cut(session_role::replica, "pg3", read_ep(), t);
    ASSERT_TRUE(order);
    EXPECT_EQ(order->reason, cut_reason::node_lost);
}

TEST(cut_policy, ReplicaSessionIsCutWhenItsNodeIsDown) {
    const auto t =
        make_topology({{"pg1", node_role::leader}, {"pg3", node_role::replica, false, false}});
    const auto order = decide_cut(session_role::replica, "pg3", read_ep(), t);
    ASSERT_TRUE(order);
    EXPECT_EQ(order->reason, cut_reason::node_lost);
}

TEST(cut_policy, LaggingReplicaSessionStaysByDefault) {
    const auto t = make_topology({{"pg1", node_role::leader}, {"pg2", node_role::replica, false}});
    EXPECT_FALSE(decide_cut(session_role::replica, "pg2", read_ep(), t));
}

TEST(cut_policy, LaggingReplicaSessionIsCutAtIdleWhenConfigured) {
    const auto t = make_topology({{"pg1", node_role::leader}, {"pg2", node_role::replica, false}});
    auto ep = read_ep();
    ep.cut_lagging_when_idle = true;
    const auto order = decide_cut(session_role::replica, "pg2", ep, t);
    ASSERT_TRUE(order);
    EXPECT_EQ(order->reason, cut_reason::replica_lagging);
    EXPECT_TRUE(order->when_idle);
}

}  // namespace
}  // namespace pgroute::proxy
