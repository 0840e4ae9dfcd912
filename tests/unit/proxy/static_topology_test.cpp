#include "proxy/static_topology.h"

#include <gtest/gtest.h>

namespace pgroute::proxy {
namespace {

node_config node(std::string name, health::NodeRole role) {
    return {{std::move(name), "127.0.0.1", 5432}, role, {}};
}

TEST(StaticTopology, PrimaryIsTheWriteTargetAndReplicasAreReadable) {
    const auto t = make_static_topology({node("a", health::NodeRole::replica),
                                         node("b", health::NodeRole::leader),
                                         node("c", health::NodeRole::replica)});
    ASSERT_TRUE(t->write_target);
    EXPECT_EQ(t->leader()->address.name, "b");
    EXPECT_EQ(t->readable, (std::vector<std::size_t>{0, 2}));
}

TEST(StaticTopology, WithoutPrimaryThereIsNoWriteTargetAndAReason) {
    const auto t = make_static_topology({node("a", health::NodeRole::replica)});
    EXPECT_FALSE(t->write_target);
    EXPECT_EQ(t->no_write_target_reason, "no node has role primary");
}

}  // namespace
}  // namespace pgroute::proxy
