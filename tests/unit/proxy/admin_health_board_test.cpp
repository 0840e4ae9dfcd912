#include <gtest/gtest.h>

#include "proxy/admin/health_board.h"
#include "topology_builder.h"

namespace pgroute::proxy {
namespace {

using health::node_role;
using testing::make_topology;

health::topology_ptr with_leader(const std::string& leader) {
    auto t = make_topology({{"pg1", leader == "pg1" ? node_role::leader : node_role::replica},
                            {"pg2", leader == "pg2" ? node_role::leader : node_role::replica}});
    return std::make_shared<health::topology_snapshot>(t);
}

health::topology_update round(health::topology_ptr topology,
                              std::vector<health::topology_event> events = {}) {
    return {std::move(topology), std::move(events), {}, {}, {}, std::chrono::system_clock::now()};
}

TEST(health_board, TheFirstLeaderIsNotAChange) {
    health_board board(with_leader(""), true);
    board.publish(round(with_leader("pg1")));
    EXPECT_EQ(board.read().leader_changes, 0u);
}

TEST(health_board, ASwitchoverThroughNoLeaderCountsOnce) {
    health_board board(with_leader("pg1"), true);
    board.publish(round(with_leader("")));
    board.publish(round(with_leader("")));
    auto changed = round(with_leader("pg2"));
    changed.at -= std::chrono::seconds(3);
    board.publish(changed);
    board.publish(round(with_leader("pg2")));
    EXPECT_EQ(board.read().leader_changes, 1u);
    EXPECT_EQ(board.read().last_leader_change_at, changed.at);
}

TEST(health_board, TheSameLeaderComingBackAfterAGapIsNotAChange) {
    health_board board(with_leader("pg1"), true);
    board.publish(round(with_leader("")));
    board.publish(round(with_leader("pg1")));
    EXPECT_EQ(board.read().leader_changes, 0u);
}

TEST(health_board, EachChangeOfLeaderCounts) {
    health_board board(with_leader("pg1"), true);
    board.publish(round(with_leader("pg2")));
    board.publish(round(with_leader("pg1")));
    EXPECT_EQ(board.read().leader_changes, 2u);
}

TEST(health_board, KeepsTheLatestTopologyAndCountsRounds) {
    health_board board(with_leader("pg1"), true);
    auto next = with_leader("pg2");
    board.publish(round(next));
    const auto report = board.read();
    EXPECT_EQ(report.topology, next);
    EXPECT_EQ(report.health_rounds, 1u);
    EXPECT_TRUE(report.patroni);
}

TEST(health_board, KeepsOnlyTheMostRecentEventsOldestFirst) {
    health_board board(with_leader("pg1"), true);
    for (int i = 0; i < 30; ++i) {
        board.publish(round(with_leader("pg1"), {{health::topology_event_kind::joined_read_pool,
                                                  "pg" + std::to_string(i), "", ""}}));
    }
    const auto events = board.read().recent_events;
    ASSERT_EQ(events.size(), health_board::recent_event_limit);
    EXPECT_NE(events.front().text.find("pg10"), std::string::npos) << events.front().text;
    EXPECT_NE(events.back().text.find("pg29"), std::string::npos) << events.back().text;
}

TEST(health_board, FormatsEventTimesInUtc) {
    EXPECT_EQ(format_utc(std::chrono::system_clock::time_point(std::chrono::seconds(1712345678))),
              "2024-04-05T19:34:38Z");
}

}  // namespace
}  // namespace pgroute::proxy
