#include <gtest/gtest.h>

#include "health/topology/events.h"

namespace pgroute::health {
namespace {

Topology topology(std::vector<std::string> names, std::optional<std::size_t> write_target,
                  std::vector<std::size_t> readable) {
    Topology result;
    for (std::string& name : names) {
        NodeView view;
        view.address.name = std::move(name);
        result.nodes.push_back(view);
    }
    for (const std::size_t i : readable)
        result.nodes[i].readable = true;
    result.write_target = write_target;
    result.readable = std::move(readable);
    return result;
}

TEST(DiffTopologies, NothingChangedGivesNoEvents) {
    const Topology same = topology({"pg1", "pg2"}, 0, {1});
    EXPECT_TRUE(diff_topologies(same, same).empty());
}

TEST(DiffTopologies, TheFirstSnapshotAnnouncesTheWriteTargetAndTheReadPool) {
    const Topology after = topology({"pg1", "pg2"}, 0, {1});
    const std::vector<TopologyEvent> events = diff_topologies(Topology{}, after);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(describe(events[0]), "write target none -> pg1: pg1 is the running leader");
    EXPECT_EQ(describe(events[1]), "pg2 joined the read pool");
}

TEST(DiffTopologies, LosingTheWriteTargetCarriesTheReason) {
    Topology after = topology({"pg1", "pg2"}, std::nullopt, {1});
    after.no_write_target_reason = "two nodes claim the leader role: pg1, pg2";
    const std::vector<TopologyEvent> events =
        diff_topologies(topology({"pg1", "pg2"}, 0, {1}), after);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0], (TopologyEvent{.kind = TopologyEventKind::write_target_changed,
                                        .node = "",
                                        .previous_write_target = "pg1",
                                        .reason = "two nodes claim the leader role: pg1, pg2"}));
}

TEST(DiffTopologies, ANodeLeavingThePoolCarriesItsNotReadableReason) {
    Topology after = topology({"pg1", "pg2", "pg3"}, 0, {2});
    after.nodes[1].not_readable_reason = "lag 33554432 bytes > max_lag 1048576";
    const std::vector<TopologyEvent> events =
        diff_topologies(topology({"pg1", "pg2", "pg3"}, 0, {1, 2}), after);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, TopologyEventKind::left_read_pool);
    EXPECT_EQ(events[0].node, "pg2");
    EXPECT_EQ(events[0].reason, "lag 33554432 bytes > max_lag 1048576");
}

TEST(DiffTopologies, OrdersWriteTargetThenDeparturesThenArrivals) {
    const std::vector<TopologyEvent> events = diff_topologies(
        topology({"pg1", "pg2", "pg3"}, 0, {1}), topology({"pg1", "pg2", "pg3"}, 1, {0, 2}));
    ASSERT_EQ(events.size(), 4u);
    EXPECT_EQ(events[0].kind, TopologyEventKind::write_target_changed);
    EXPECT_EQ(events[1].kind, TopologyEventKind::left_read_pool);
    EXPECT_EQ(events[1].node, "pg2");
    EXPECT_EQ(events[2].kind, TopologyEventKind::joined_read_pool);
    EXPECT_EQ(events[2].node, "pg1");
    EXPECT_EQ(events[3].node, "pg3");
}

}  // namespace
}  // namespace pgroute::health
