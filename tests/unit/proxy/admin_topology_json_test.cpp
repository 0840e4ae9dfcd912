#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "admin_sources_fixture.h"
#include "proxy/admin/topology_json.h"

namespace pgroute::proxy {
namespace {

using health::node_role;
using nlohmann::json;
using testing::admin_fixture;
using testing::make_topology;

json render(const admin_fixture& f) {
    return json::parse(render_topology_json(f.snapshot(), f.cfg));
}

admin_fixture three_nodes() {
    auto t = make_topology({{"pg1", node_role::leader},
                            {"pg2", node_role::replica, true},
                            {"pg3", node_role::replica, false}});
    t.nodes[0].state = "running";
    t.nodes[1].lag_bytes = 1024;
    t.nodes[1].lag_seconds = 0.25;
    t.nodes[1].timeline = 2;
    return admin_fixture(t);
}

TEST(admin_topology_json, NamesTheWriteTargetAndTheMode) {
    const auto f = three_nodes();
    const auto doc = render(f);
    EXPECT_EQ(doc.at("write_target"), "pg1");
    EXPECT_EQ(doc.at("mode"), "patroni");
    EXPECT_EQ(doc.at("generation"), 1);
}

TEST(admin_topology_json, ANullWriteTargetComesWithItsReason) {
    const admin_fixture f(make_topology({{"pg1", node_role::replica}}), false);
    const auto doc = render(f);
    EXPECT_TRUE(doc.at("write_target").is_null());
    EXPECT_EQ(doc.at("no_write_target_reason"), "no running leader");
    EXPECT_EQ(doc.at("mode"), "static");
}

TEST(admin_topology_json, EachNodeHasRoleStateLagReadabilityAndSessions) {
    auto f = three_nodes();
    f.worker_a.route(1, "pg2").backend_opened.add(2);
    f.worker_b.route(1, "pg2").backend_opened.add(1);
    const auto doc = render(f);
    const auto& nodes = doc.at("nodes");
    ASSERT_EQ(nodes.size(), 3u);
    EXPECT_EQ(nodes[0].at("name"), "pg1");
    EXPECT_EQ(nodes[0].at("role"), "leader");
    EXPECT_EQ(nodes[0].at("state"), "running");
    EXPECT_EQ(nodes[0].at("write_target"), true);
    EXPECT_TRUE(nodes[0].at("lag_bytes").is_null());
    EXPECT_EQ(nodes[1].at("lag_bytes"), 1024);
    EXPECT_EQ(nodes[1].at("lag_seconds"), 0.25);
    EXPECT_EQ(nodes[1].at("timeline"), 2);
    EXPECT_EQ(nodes[1].at("readable"), true);
    EXPECT_EQ(nodes[1].at("sessions"), 3);
    EXPECT_EQ(nodes[2].at("readable"), false);
    EXPECT_EQ(nodes[2].at("not_readable_reason"), "lag 2000000 bytes > max_lag 1048576");
    EXPECT_EQ(nodes[2].at("port"), 5434);
}

TEST(admin_topology_json, ListsEndpointsWithTheirOpenSessions) {
    auto f = three_nodes();
    f.worker_a.endpoint(0).sessions_started.add(4);
    f.worker_b.endpoint(0).sessions_ended.add(1);
    const auto doc = render(f);
    ASSERT_EQ(doc.at("endpoints").size(), 2u);
    EXPECT_EQ(doc.at("endpoints")[0].at("name"), "write");
    EXPECT_EQ(doc.at("endpoints")[0].at("listen"), "127.0.0.1:5551");
    EXPECT_EQ(doc.at("endpoints")[0].at("sessions_open"), 3);
    EXPECT_EQ(doc.at("endpoints")[1].at("route"), "replica");
}

TEST(admin_topology_json, CarriesRecentEventsAndLeaderChanges) {
    auto f = three_nodes();
    auto next = make_topology({{"pg1", node_role::replica, true}, {"pg2", node_role::leader}});
    f.board.publish(
        {std::make_shared<health::topology_snapshot>(next),
         {{health::topology_event_kind::write_target_changed, "pg2", "pg1", "switchover"}},
         {},
         {},
         {},
         std::chrono::system_clock::time_point(std::chrono::seconds(1712345678))});
    const auto doc = render(f);
    EXPECT_EQ(doc.at("leader_changes"), 1);
    ASSERT_EQ(doc.at("recent_events").size(), 1u);
    EXPECT_EQ(doc.at("recent_events")[0].at("at"), "2024-04-05T19:34:38Z");
    EXPECT_NE(doc.at("recent_events")[0].at("text").get<std::string>().find("pg2"),
              std::string::npos);
}

TEST(admin_topology_json, NodeNamesThatAreNotUtf8DoNotBreakTheDocument) {
    const admin_fixture f(make_topology({{"pg\xff", node_role::leader}}));
    EXPECT_NO_THROW(render(f));
}

}  // namespace
}  // namespace pgroute::proxy
