#include <gtest/gtest.h>

#include "health/topology/drains.h"

namespace pgroute::health {
namespace {

// pg1 leads; pg2 and pg3 are readable replicas.
topology_snapshot three_nodes() {
    topology_snapshot t;
    t.generation = 7;
    for (const char* name : {"pg1", "pg2", "pg3"}) {
        node_view node;
        node.address = {name, "127.0.0.1", 5432};
        node.up = true;
        node.role = t.nodes.empty() ? node_role::leader : node_role::replica;
        node.readable = !t.nodes.empty();
        if (node.readable) t.readable.push_back(t.nodes.size());
        t.nodes.push_back(node);
    }
    t.write_target = 0;
    return t;
}

TEST(topology_drains, ADrainedReplicaLeavesTheReadPoolAndSaysWhy) {
    const auto t = with_drains(three_nodes(), {"pg2"});
    EXPECT_EQ(t.readable, (std::vector<std::size_t>{2}));
    EXPECT_TRUE(t.nodes[1].drained);
    EXPECT_FALSE(t.nodes[1].readable);
    EXPECT_EQ(t.nodes[1].not_readable_reason, "drained by an operator");
    EXPECT_TRUE(t.nodes[1].up);  // its health is what the source said
    EXPECT_FALSE(t.nodes[2].drained);
    EXPECT_EQ(t.write_target, 0u);
    EXPECT_EQ(t.generation, 7u);
}

TEST(topology_drains, ADrainedLeaderIsNoWriteTargetAndTheReasonNamesIt) {
    const auto t = with_drains(three_nodes(), {"pg1"});
    EXPECT_FALSE(t.write_target);
    EXPECT_EQ(t.leader(), nullptr);
    EXPECT_EQ(t.no_write_target_reason, "the leader \"pg1\" is drained by an operator");
    EXPECT_EQ(t.readable, (std::vector<std::size_t>{1, 2}));
}

TEST(topology_drains, NoDrainsOrUnknownNamesChangeNothing) {
    const auto before = three_nodes();
    for (const auto& drained :
         {std::set<std::string, std::less<>>{}, std::set<std::string, std::less<>>{"pg9"}}) {
        const auto t = with_drains(before, drained);
        EXPECT_EQ(t.readable, before.readable);
        EXPECT_EQ(t.write_target, before.write_target);
        for (const auto& node : t.nodes)
            EXPECT_FALSE(node.drained);
    }
}

}  // namespace
}  // namespace pgroute::health
