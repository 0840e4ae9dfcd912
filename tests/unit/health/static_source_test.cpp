#include "health/topology/static_source.h"

#include <gtest/gtest.h>

namespace pgroute::health {
namespace {

StaticNode node(std::string name, NodeRole role) {
    return {{std::move(name), "127.0.0.1", 5432}, role};
}

TEST(StaticTopology, PrimaryIsTheWriteTargetAndReplicasAreReadable) {
    const auto t = make_static_topology(
        {node("a", NodeRole::replica), node("b", NodeRole::leader), node("c", NodeRole::replica)});
    ASSERT_TRUE(t->write_target);
    EXPECT_EQ(t->leader()->address.name, "b");
    EXPECT_EQ(t->readable, (std::vector<std::size_t>{0, 2}));
}

TEST(StaticTopology, WithoutPrimaryThereIsNoWriteTargetAndAReason) {
    const auto t = make_static_topology({node("a", NodeRole::replica)});
    EXPECT_FALSE(t->write_target);
    EXPECT_EQ(t->no_write_target_reason, "no node has role primary");
}

TEST(StaticSource, RoutesByItsOneSnapshotFromTheStart) {
    StaticSource source({node("a", NodeRole::leader)});
    EXPECT_EQ(source.mode(), "static");
    ASSERT_TRUE(source.initial()->write_target);
    EXPECT_EQ(source.initial()->leader()->address.name, "a");
}

}  // namespace
}  // namespace pgroute::health
