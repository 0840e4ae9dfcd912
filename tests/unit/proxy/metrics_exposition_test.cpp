#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "admin_sources_fixture.h"
#include "proxy/admin/exposition.h"
#include "proxy/admin/metrics_collectable.h"

namespace pgroute::proxy {
namespace {

using health::node_role;
using testing::admin_fixture;
using testing::make_topology;

bool has_line(const std::string& text, const std::string& line) {
    std::istringstream lines(text);
    for (std::string l; std::getline(lines, l);) {
        if (l == line) return true;
    }
    return false;
}

admin_fixture three_nodes() {
    auto topology = make_topology({{"pg1", node_role::leader},
                                   {"pg2", node_role::replica, true},
                                   {"pg3", node_role::replica, false, false}});
    topology.nodes[1].lag_bytes = 4096;
    topology.nodes[1].lag_seconds = 0.5;
    topology.nodes[1].timeline = 3;
    return admin_fixture(topology);
}

TEST(metrics_exposition, EveryFamilyHasHelpAndTypeBeforeItsSamplesAndAppearsOnce) {
    auto f = three_nodes();
    const auto text = render_metrics(metrics_collectable(f.sources));
    std::istringstream lines(text);
    std::set<std::string> seen;
    std::string family, helped;
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("# HELP ")) {
            helped = line.substr(7, line.find(' ', 7) - 7);
        } else if (line.starts_with("# TYPE ")) {
            family = line.substr(7, line.find(' ', 7) - 7);
            EXPECT_EQ(family, helped) << "TYPE without HELP right before it";
            EXPECT_TRUE(seen.insert(family).second) << family << " twice";
        } else {
            EXPECT_TRUE(line.starts_with(family)) << line << " outside its family " << family;
        }
    }
    EXPECT_GE(seen.size(), 30u);
}

TEST(metrics_exposition, CountersEndInTotal) {
    auto f = three_nodes();
    std::istringstream lines(render_metrics(metrics_collectable(f.sources)));
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("# TYPE ") && line.ends_with(" counter")) {
            EXPECT_TRUE(line.ends_with("_total counter")) << line;
        }
    }
}

TEST(metrics_exposition, WorkersCountersAreSummedPerEndpointAndNode) {
    auto f = three_nodes();
    f.worker_a.endpoint(0).accepted.add(2);
    f.worker_b.endpoint(0).accepted.add(3);
    f.worker_a.route(1, "pg2").queries.add(4);
    f.worker_b.route(1, "pg2").queries.add(6);
    f.worker_b.route(1, "pg2").bytes_from_client.add(100);
    f.worker_b.route(0, "pg1").cuts_for(cut_reason::leader_changed).add();
    const auto text = render_metrics(metrics_collectable(f.sources));
    EXPECT_TRUE(has_line(text, "pgroute_client_sessions_total{endpoint=\"write\"} 5"));
    EXPECT_TRUE(has_line(text, "pgroute_queries_total{endpoint=\"read\",node=\"pg2\"} 10"));
    EXPECT_TRUE(has_line(text,
                         "pgroute_relayed_bytes_total{endpoint=\"read\",node=\"pg2\","
                         "direction=\"client_to_server\"} 100"));
    EXPECT_TRUE(has_line(
        text,
        "pgroute_sessions_cut_total{endpoint=\"write\",node=\"pg1\",reason=\"leader_changed\"} 1"));
}

TEST(metrics_exposition, EveryNodeHasRouteSeriesBeforeAnySessionReachedIt) {
    auto f = three_nodes();
    const auto text = render_metrics(metrics_collectable(f.sources));
    EXPECT_TRUE(has_line(text, "pgroute_queries_total{endpoint=\"write\",node=\"pg3\"} 0"));
    EXPECT_TRUE(
        has_line(text, "pgroute_query_duration_seconds_count{endpoint=\"read\",node=\"pg3\"} 0"));
}

TEST(metrics_exposition, ANodeThatLeftKeepsItsSeries) {
    auto f = three_nodes();
    f.worker_a.route(0, "old1").queries.add(8);
    const auto text = render_metrics(metrics_collectable(f.sources));
    EXPECT_TRUE(has_line(text, "pgroute_queries_total{endpoint=\"write\",node=\"old1\"} 8"));
}

TEST(metrics_exposition, OpenSessionsAreStartedMinusEnded) {
    auto f = three_nodes();
    f.worker_a.endpoint(1).sessions_started.add(5);
    f.worker_a.endpoint(1).sessions_ended.add(2);
    f.worker_b.route(1, "pg2").backend_opened.add(3);
    f.worker_b.route(1, "pg2").backend_closed.add(1);
    const auto text = render_metrics(metrics_collectable(f.sources));
    EXPECT_TRUE(has_line(text, "pgroute_client_sessions_open{endpoint=\"read\"} 3"));
    EXPECT_TRUE(has_line(text, "pgroute_backend_connections{endpoint=\"read\",node=\"pg2\"} 2"));
}

TEST(metrics_exposition, NodeStateComesFromTheTopology) {
    auto f = three_nodes();
    const auto text = render_metrics(metrics_collectable(f.sources));
    EXPECT_TRUE(has_line(text, "pgroute_node_role{node=\"pg1\",role=\"leader\"} 1"));
    EXPECT_TRUE(has_line(text, "pgroute_node_role{node=\"pg1\",role=\"replica\"} 0"));
    EXPECT_TRUE(has_line(text, "pgroute_node_up{node=\"pg3\"} 0"));
    EXPECT_TRUE(has_line(text, "pgroute_node_readable{node=\"pg2\"} 1"));
    EXPECT_TRUE(has_line(text, "pgroute_node_lag_bytes{node=\"pg2\"} 4096"));
    EXPECT_TRUE(has_line(text, "pgroute_node_lag_seconds{node=\"pg2\"} 0.5"));
    EXPECT_TRUE(has_line(text, "pgroute_node_timeline{node=\"pg2\"} 3"));
    EXPECT_TRUE(has_line(text, "pgroute_write_target{node=\"pg1\"} 1"));
    EXPECT_TRUE(has_line(text, "pgroute_write_target{node=\"pg2\"} 0"));
    EXPECT_EQ(text.find("pgroute_node_lag_bytes{node=\"pg1\"}"), std::string::npos)
        << "no lag sample for a node without a known lag";
}

TEST(metrics_exposition, PollOutcomesAndLeaderChangesComeFromTheHealthBoard) {
    auto f = three_nodes();
    health::poll_counts pg1{};
    pg1[0] = 7;  // ok
    pg1[2] = 1;  // timeout
    auto next = make_topology({{"pg1", node_role::replica, true}, {"pg2", node_role::leader}});
    health::poll_durations pg1_durations;
    pg1_durations.record(std::chrono::milliseconds(3));
    pg1_durations.record(std::chrono::seconds(2));
    f.board.publish({std::make_shared<health::topology_snapshot>(next),
                     {},
                     {{"pg1", pg1}},
                     {},
                     {{"pg1", pg1_durations}},
                     {}});
    const auto text = render_metrics(metrics_collectable(f.sources));
    EXPECT_TRUE(has_line(
        text, "pgroute_patroni_poll_duration_seconds_bucket{node=\"pg1\",le=\"0.0025\"} 0"));
    EXPECT_TRUE(has_line(
        text, "pgroute_patroni_poll_duration_seconds_bucket{node=\"pg1\",le=\"0.005\"} 1"));
    EXPECT_TRUE(
        has_line(text, "pgroute_patroni_poll_duration_seconds_bucket{node=\"pg1\",le=\"+Inf\"} 2"));
    EXPECT_TRUE(has_line(text, "pgroute_patroni_poll_duration_seconds_sum{node=\"pg1\"} 2.003"));
    EXPECT_TRUE(has_line(text, "pgroute_patroni_poll_duration_seconds_count{node=\"pg1\"} 2"));
    EXPECT_TRUE(has_line(text, "pgroute_patroni_polls_total{node=\"pg1\",outcome=\"ok\"} 7"));
    EXPECT_TRUE(has_line(text, "pgroute_patroni_polls_total{node=\"pg1\",outcome=\"timeout\"} 1"));
    EXPECT_TRUE(has_line(text, "pgroute_leader_changes_total 1"));
    EXPECT_TRUE(has_line(text, "pgroute_write_target{node=\"pg2\"} 1"));
}

TEST(metrics_exposition, BuildInfoAndProcessMetricsArePresent) {
    auto f = three_nodes();
    const auto text = render_metrics(metrics_collectable(f.sources));
    EXPECT_NE(text.find("pgroute_build_info{version=\""), std::string::npos);
    EXPECT_TRUE(has_line(text, "pgroute_worker_threads 2"));
    for (const char* family : {"process_cpu_seconds_total ", "process_resident_memory_bytes ",
                               "process_virtual_memory_bytes ", "process_open_fds ",
                               "process_max_fds ", "process_start_time_seconds "}) {
        EXPECT_NE(text.find(std::string("\n") + family), std::string::npos) << family;
    }
}

}  // namespace
}  // namespace pgroute::proxy
