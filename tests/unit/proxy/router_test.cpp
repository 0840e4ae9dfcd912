#include "proxy/routing/router.h"

#include <gtest/gtest.h>

#include <map>

#include "topology_builder.h"

namespace pgroute::proxy {
namespace {

using health::node_role;
using testing::make_topology;

endpoint_config write_endpoint() {
    return {"write", {"127.0.0.1", 5551}, route_kind::leader};
}
endpoint_config read_endpoint(balance_kind balance = balance_kind::round_robin) {
    endpoint_config ep{"read", {"127.0.0.1", 5552}, route_kind::replica};
    ep.balance = balance;
    return ep;
}

TEST(router, WriteEndpointReachesTheLeader) {
    const auto t = make_topology({{"pg1", node_role::replica, true}, {"pg2", node_role::leader}});
    const auto d = pick_node(t, write_endpoint(), 0);
    ASSERT_TRUE(d.node);
    EXPECT_EQ(t.nodes[*d.node].address.name, "pg2");
}

TEST(router, WriteEndpointRefusesWithoutLeaderAndSaysWhy) {
    const auto t = make_topology({{"pg1", node_role::replica, true}});
    const auto d = pick_node(t, write_endpoint(), 0);
    EXPECT_FALSE(d.node);
    EXPECT_EQ(d.refusal, "no leader is available: no running leader");
}

TEST(router, ReadEndpointRoundRobinsAcrossReadableReplicasOnly) {
    const auto t = make_topology({{"pg1", node_role::leader},
                                  {"pg2", node_role::replica, true},
                                  {"pg3", node_role::replica, false},
                                  {"pg4", node_role::replica, true}});
    std::map<std::string, int> hits;
    for (std::uint64_t ticket = 0; ticket < 10; ++ticket) {
        const auto d = pick_node(t, read_endpoint(), ticket);
        ASSERT_TRUE(d.node);
        ++hits[t.nodes[*d.node].address.name];
    }
    EXPECT_EQ(hits, (std::map<std::string, int>{{"pg2", 5}, {"pg4", 5}}));
}

TEST(router, ReadEndpointRefusesWhenNoReplicaIsReadableAndFallbackIsOff) {
    const auto t = make_topology({{"pg1", node_role::leader}, {"pg2", node_role::replica, false}});
    const auto d = pick_node(t, read_endpoint(), 0);
    EXPECT_FALSE(d.node);
    EXPECT_EQ(d.refusal, "no replica is readable within the configured lag bound");
}

TEST(router, ReadEndpointFallsBackToLeaderWhenConfigured) {
    const auto t = make_topology({{"pg1", node_role::leader}, {"pg2", node_role::replica, false}});
    auto ep = read_endpoint();
    ep.fallback_to_leader = true;
    const auto d = pick_node(t, ep, 0);
    ASSERT_TRUE(d.node);
    EXPECT_EQ(t.nodes[*d.node].address.name, "pg1");
}

TEST(router, FallbackWithoutLeaderRefuses) {
    const auto t = make_topology({{"pg2", node_role::replica, false}});
    auto ep = read_endpoint();
    ep.fallback_to_leader = true;
    EXPECT_FALSE(pick_node(t, ep, 0).node);
}

TEST(router, LeastConnectionsPicksTheLeastLoadedReplica) {
    const auto t = make_topology({{"pg1", node_role::leader},
                                  {"pg2", node_role::replica, true},
                                  {"pg3", node_role::replica, true}});
    const std::vector<std::uint32_t> sessions{9, 4, 1};
    for (std::uint64_t ticket = 0; ticket < 4; ++ticket) {
        const auto d =
            pick_node(t, read_endpoint(balance_kind::least_connections), ticket, sessions);
        ASSERT_TRUE(d.node);
        EXPECT_EQ(t.nodes[*d.node].address.name, "pg3");
    }
}

TEST(router, LeastConnectionsRotatesAmongTies) {
    const auto t =
        make_topology({{"pg2", node_role::replica, true}, {"pg3", node_role::replica, true}});
    const std::vector<std::uint32_t> sessions{2, 2};
    const auto first = pick_node(t, read_endpoint(balance_kind::least_connections), 0, sessions);
    const auto second = pick_node(t, read_endpoint(balance_kind::least_connections), 1, sessions);
    EXPECT_NE(first.node, second.node);
}

}  // namespace
}  // namespace pgroute::proxy
