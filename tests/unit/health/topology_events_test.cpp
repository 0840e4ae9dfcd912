#include <gtest/gtest.h>

#include "health/topology/events.h"

namespace pgroute::health {
namespace {

topology_snapshot topology(std::vector<std::string> names, std::optional<std::size_t> write_target,
                           std::vector<std::size_t> readable) {
    topology_snapshot result;
    for (std::string& name : names) {
        node_view view;
        view.address.name = std::move(name);
        result.nodes.push_back(view);
    }
    for (const std::size_t i : readable)
        result.nodes[i].readable = true;
    result.write_target = write_target;
    result.readable = std::move(readable);
    return result;
}

TEST(diff_topologies, NothingChangedGivesNoEvents) {
    const topology_snapshot same = topology({"pg1", "pg2"}, 0, {1});
    EXPECT_TRUE(diff_topologies(same, same).empty());
}

TEST(diff_topologies, TheFirstSnapshotAnnouncesTheWriteTargetAndTheReadPool) {
    const topology_snapshot after = topology({"pg1", "pg2"}, 0, {1});
    const std::vector<topology_event> events = diff_topologies(topology_snapshot{}, after);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(describe(events[0]), "write target none -> pg1: pg1 is the running leader");
    EXPECT_EQ(describe(events[1]), "pg2 joined the read pool");
}

TEST(diff_topologies, LosingTheWriteTargetCarriesTheReason) {
    topology_snapshot after = topology({"pg1", "pg2"}, std::nullopt, {1});
    after.no_write_target_reason = "two nodes claim the leader role: pg1, pg2";
    const std::vector<topology_event> events =
        diff_topologies(topology({"pg1", "pg2"}, 0, {1}), after);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0], (topology_event{.kind = topology_event_kind::write_target_changed,
                                         .node = "",
                                         .previous_write_target = "pg1",
                                         .reason = "two nodes claim the leader role: pg1, pg2"}));
}

TEST(diff_topologies, ANodeLeavingThePoolCarriesItsNotReadableReason) {
    topology_snapshot after = topology({"pg1", "pg2", "pg3"}, 0, {2});
    after.nodes[1].not_readable_reason = "lag 33554432 bytes > max_lag 1048576";
    const std::vector<topology_event> events =
        diff_topologies(topology({"pg1", "pg2", "pg3"}, 0, {1, 2}), after);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, topology_event_kind::left_read_pool);
    EXPECT_EQ(events[0].node, "pg2");
    EXPECT_EQ(events[0].reason, "lag 33554432 bytes > max_lag 1048576");
}

TEST(diff_topologies, OrdersWriteTargetThenDeparturesThenArrivals) {
    const std::vector<topology_event> events = diff_topologies(
        topology({"pg1", "pg2", "pg3"}, 0, {1}), topology({"pg1", "pg2", "pg3"}, 1, {0, 2}));
    ASSERT_EQ(events.size(), 4u);
    EXPECT_EQ(events[0].kind, topology_event_kind::write_target_changed);
    EXPECT_EQ(events[1].kind, topology_event_kind::left_read_pool);
    EXPECT_EQ(events[1].node, "pg2");
    EXPECT_EQ(events[2].kind, topology_event_kind::joined_read_pool);
    EXPECT_EQ(events[2].node, "pg1");
    EXPECT_EQ(events[3].node, "pg3");
}

}  // namespace
}  // namespace pgroute::health
