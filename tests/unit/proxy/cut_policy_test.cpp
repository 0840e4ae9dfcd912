#include "proxy/routing/cut_policy.h"

#include <gtest/gtest.h>

#include "topology_builder.h"

namespace pgroute::proxy {
namespace {

using health::NodeRole;
using testing::make_topology;

endpoint_config write_ep() {
    return {"write", {"127.0.0.1", 5551}, route_kind::leader};
}
endpoint_config read_ep() {
    return {"read", {"127.0.0.1", 5552}, route_kind::replica};
}

TEST(CutPolicy, LeaderSessionStaysWhileItsNodeLeads) {
    const auto t = make_topology({{"pg1", NodeRole::leader}, {"pg2", NodeRole::replica, true}});
    EXPECT_FALSE(decide_cut(session_role::leader, "pg1", write_ep(), t));
}

TEST(CutPolicy, LeaderSessionIsCutWhenAnotherNodeLeads) {
    const auto t = make_topology({{"pg1", NodeRole::replica, true}, {"pg2", NodeRole::leader}});
    const auto order = decide_cut(session_role::leader, "pg1", write_ep(), t);
    ASSERT_TRUE(order);
    EXPECT_EQ(order->reason, cut_reason::leader_changed);
    EXPECT_FALSE(order->when_idle);
    EXPECT_EQ(order->message, "node \"pg1\" is no longer the leader (new leader: \"pg2\")");
}

TEST(CutPolicy, LeaderSessionIsCutWhenThereIsNoWriteTarget) {
    const auto t = make_topology({{"pg1", NodeRole::replica, true}});
    const auto order = decide_cut(session_role::leader, "pg1", write_ep(), t);
    ASSERT_TRUE(order);
    EXPECT_EQ(order->reason, cut_reason::no_write_target);
}

TEST(CutPolicy, ReplicaSessionIsCutWhenItsNodeIsPromoted) {
    const auto t = make_topology({{"pg1", NodeRole::replica, true}, {"pg2", NodeRole::leader}});
    const auto order = decide_cut(session_role::replica, "pg2", read_ep(), t);
    ASSERT_TRUE(order);
    EXPECT_EQ(order->reason, cut_reason::node_promoted);
}

TEST(CutPolicy, ReplicaSessionOnPromotedNodeStaysWhenConfigured) {
    const auto t = make_topology({{"pg2", NodeRole::leader}});
    auto ep = read_ep();
    ep.cut_on_promote = false;
    EXPECT_FALSE(decide_cut(session_role::replica, "pg2", ep, t));
}

TEST(CutPolicy, ReplicaSessionIsCutWhenItsNodeLeftTheCluster) {
    const auto t = make_topology({{"pg1", NodeRole::leader}});
    const auto order = decide_cut(session_role::replica, "pg3", read_ep(), t);
    ASSERT_TRUE(order);
    EXPECT_EQ(order->reason, cut_reason::node_lost);
}

TEST(CutPolicy, ReplicaSessionIsCutWhenItsNodeIsDown) {
    const auto t =
        make_topology({{"pg1", NodeRole::leader}, {"pg3", NodeRole::replica, false, false}});
    const auto order = decide_cut(session_role::replica, "pg3", read_ep(), t);
    ASSERT_TRUE(order);
    EXPECT_EQ(order->reason, cut_reason::node_lost);
}

TEST(CutPolicy, LaggingReplicaSessionStaysByDefault) {
    const auto t = make_topology({{"pg1", NodeRole::leader}, {"pg2", NodeRole::replica, false}});
    EXPECT_FALSE(decide_cut(session_role::replica, "pg2", read_ep(), t));
}

TEST(CutPolicy, LaggingReplicaSessionIsCutAtIdleWhenConfigured) {
    const auto t = make_topology({{"pg1", NodeRole::leader}, {"pg2", NodeRole::replica, false}});
    auto ep = read_ep();
    ep.cut_lagging_when_idle = true;
    const auto order = decide_cut(session_role::replica, "pg2", ep, t);
    ASSERT_TRUE(order);
    EXPECT_EQ(order->reason, cut_reason::replica_lagging);
    EXPECT_TRUE(order->when_idle);
}

}  // namespace
}  // namespace pgroute::proxy
