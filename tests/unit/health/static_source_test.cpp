#include "health/topology/static_source.h"

#include <gtest/gtest.h>

namespace pgroute::health {
namespace {

static_node node(std::string name, node_role role) {
    return {{std::move(name), "127.0.0.1", 5432}, role};
}

TEST(static_topology, PrimaryIsTheWriteTargetAndReplicasAreReadable) {
    const auto t =
        make_static_topology({node("a", node_role::replica), node("b", node_role::leader),
                              node("c", node_role::replica)});
    ASSERT_TRUE(t->write_target);
    EXPECT_EQ(t->leader()->address.name, "b");
    EXPECT_EQ(t->readable, (std::vector<std::size_t>{0, 2}));
}

TEST(static_topology, WithoutPrimaryThereIsNoWriteTargetAndAReason) {
    const auto t = make_static_topology({node("a", node_role::replica)});
    EXPECT_FALSE(t->write_target);
    EXPECT_EQ(t->no_write_target_reason, "no node has role primary");
}

TEST(static_source, RoutesByItsOneSnapshotFromTheStart) {
    static_source source({node("a", node_role::leader)});
    EXPECT_EQ(source.mode(), "static");
    ASSERT_TRUE(source.initial()->write_target);
    EXPECT_EQ(source.initial()->leader()->address.name, "a");
}

}  // namespace
}  // namespace pgroute::health
