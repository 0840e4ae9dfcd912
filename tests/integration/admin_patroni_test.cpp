// pgroute's admin listener in front of a real three-node Patroni cluster: Patroni poll outcomes,
// roles, lag and timelines on /metrics; a switchover seen in the role and leader-change metrics,
// /topology and the status page, its charts marking it (and screenshotted by headless Chromium);
// a node whose API freezes seen going down and its read sessions counted as cut and marked.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/integration/admin_test_client.h"
#include "tests/integration/headless_chromium.h"
#include "tests/integration/patroni_suite.h"
#include "tests/integration/status_page_charts.h"
#include "tests/support/libpq_conn.h"
#include "tests/support/patroni_cluster.h"
#include "tests/support/pgroute_process.h"
#include "tests/support/ports.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text_file.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr auto switchover_seen_timeout = 60s;
constexpr auto metric_timeout = 15s;

std::string node_series(std::string_view family, std::string_view node,
                        std::string_view extra_label = {}) {
    std::string series = std::string(family) + "{node=\"" + std::string(node) + "\"";
    if (!extra_label.empty()) series += "," + std::string(extra_label);
    return series + "}";
}

class admin_patroni : public patroni_suite {
  protected:
    void SetUp() override {
        patroni_suite::SetUp();
        if (HasFatalFailure()) return;
        const auto ports = free_ports(3);
        write_port_ = ports[0];
        read_port_ = ports[1];
        admin_port_ = ports[2];
        pgroute_.emplace(
            patroni_config(cluster(), {.write_port = write_port_, .read_port = read_port_}) +
                admin_section(admin_port_),
            ports);
        cluster().wait_until_proxy_routes(write_port_, read_port_, routing_timeout);
    }

    void TearDown() override {
        if (HasFailure() && pgroute_) std::cout << "pgroute's log:\n" << pgroute_->log_text();
        if (pgroute_) {
            EXPECT_NO_THROW(pgroute_->stop());
        }
        pgroute_.reset();
    }

    [[nodiscard]] double metric(std::string_view series) const {
        return scrape(admin_port_, series);
    }
    [[nodiscard]] json topology() const {
        const auto answer = http_get_loopback(admin_port_, "/topology");
        if (answer.status != 200) throw std::runtime_error("GET /topology: " + answer.error);
        return json::parse(answer.body);
    }
    [[nodiscard]] const json& node_in(const json& topology, std::string_view name) const {
        for (const auto& node : topology.at("nodes")) {
            if (node.at("name") == name) return node;
        }
        throw std::runtime_error("no node " + std::string(name) + " in /topology");
    }

    std::uint16_t write_port_ = 0;
    std::uint16_t read_port_ = 0;
    std::uint16_t admin_port_ = 0;

  private:
    std::optional<pgroute_process> pgroute_;
};

TEST_F(admin_patroni, PollsRolesLagAndTimelineOfEveryNodeAreExported) {
    for (const auto node : patroni_node_names) {
        EXPECT_GT(metric(node_series("pgroute_patroni_polls_total", node, "outcome=\"ok\"")), 0)
            << node;
        EXPECT_EQ(metric(node_series("pgroute_node_up", node)), 1) << node;
        EXPECT_GE(metric(node_series("pgroute_node_timeline", node)), 1) << node;
    }
    EXPECT_EQ(metric(node_series("pgroute_node_role", leader_, "role=\"leader\"")), 1);
    EXPECT_EQ(metric(node_series("pgroute_write_target", leader_)), 1);
    for (const auto& replica : replicas_) {
        EXPECT_EQ(metric(node_series("pgroute_node_role", replica, "role=\"replica\"")), 1);
        EXPECT_EQ(metric(node_series("pgroute_write_target", replica)), 0);
        EXPECT_GE(metric(node_series("pgroute_node_lag_bytes", replica)), 0);
        EXPECT_EQ(metric(node_series("pgroute_node_readable", replica)), 1);
    }
    EXPECT_GT(metric("pgroute_health_rounds_total"), 0);
    EXPECT_GT(metric("pgroute_patroni_cluster_polls_total{outcome=\"ok\"}"), 0);
    EXPECT_EQ(http_get_loopback(admin_port_, "/ready").status, 200);

    // promtool on the Patroni-mode page, where the lag, timeline and poll families have samples.
    const auto metrics = http_get_loopback(admin_port_, "/metrics");
    ASSERT_EQ(metrics.status, 200);
    const temp_dir dir("pgroute-promtool");
    write_text(dir.path() / "metrics.txt", metrics.body);
    const auto check = run_command(
        {.argv = {"/bin/sh", "-c",
                  "promtool check metrics < '" + (dir.path() / "metrics.txt").string() + "'"}},
        30s);
    EXPECT_EQ(check.exit_code, 0) << check.output;
    EXPECT_EQ(check.output, "");
}

TEST_F(admin_patroni, SwitchoverShowsInRoleAndLeaderChangeMetricsTopologyAndStatusPage) {
    const std::string candidate = replicas_.front();
    const double changes_before = metric("pgroute_leader_changes_total");

    cluster().switchover(candidate);
    wait_until([&] { return topology().at("write_target") == candidate; }, switchover_seen_timeout,
               "/topology names " + candidate + " as the write target");

    EXPECT_EQ(metric("pgroute_leader_changes_total"), changes_before + 1);
    EXPECT_EQ(metric(node_series("pgroute_node_role", candidate, "role=\"leader\"")), 1);
    EXPECT_EQ(metric(node_series("pgroute_write_target", candidate)), 1);
    EXPECT_EQ(metric(node_series("pgroute_write_target", leader_)), 0);
    // The old leader comes back as a replica once it has restarted.
    wait_until(
        [&] { return metric(node_series("pgroute_node_role", leader_, "role=\"replica\"")) == 1; },
        switchover_seen_timeout, leader_ + " shows as a replica");

    const auto now = topology();
    EXPECT_EQ(now.at("leader_changes"), changes_before + 1);
    EXPECT_EQ(node_in(now, candidate).at("role"), "leader");
    EXPECT_EQ(node_in(now, candidate).at("write_target"), true);
    bool event_seen = false;
    for (const auto& event : now.at("recent_events")) {
        const auto text = event.at("text").get<std::string>();
        event_seen = event_seen || (text.find("write target") != std::string::npos &&
                                    text.find(candidate) != std::string::npos);
    }
    EXPECT_TRUE(event_seen) << now.dump(2);

    const auto page = http_get_loopback(admin_port_, "/");
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("Write target: <b><span class=\"ok\">" + candidate + "</span>"),
              std::string::npos);

    // The charts mark the switchover at the first sample (10 s apart) that saw it, and chart
    // the replicas' lag from the same polls.
    const std::string marker = "<title>leader changed to " + candidate + "</title>";
    std::string charted;
    wait_until(
        [&] {
            charted = http_get_loopback(admin_port_, "/").body;
            return chart_svg(charted, "chart-sessions").find(marker) != std::string::npos &&
                   has_line(chart_svg(charted, "chart-lag"));
        },
        30s, "the charts mark the leader change and draw the replicas' lag");
    for (const auto* id : {"chart-qps", "chart-p99", "chart-lag"})  // drawn or empty
        EXPECT_NE(chart_svg(charted, id).find(marker), std::string::npos) << id;
    const temp_dir dir("pgroute-charts-switchover");
    const auto png = dir.path() / "status-charts-switchover.png";
    const auto shot =
        headless_chromium(dir.path(), "http://127.0.0.1:" + std::to_string(admin_port_) + "/",
                          "--screenshot=" + png.string(), "1280,1100");
    ASSERT_EQ(shot.exit_code, 0) << shot.output;
    EXPECT_EQ(png_size(read_text(png)), std::make_pair(1280u, 1100u));
    std::filesystem::copy_file(png, "status-charts-switchover.png",
                               std::filesystem::copy_options::overwrite_existing);
}

TEST_F(admin_patroni, AFrozenReplicaApiShowsAsDownAndItsReadSessionsAsCutNodeLost) {
    // Read sessions held open on each replica.
    std::vector<std::unique_ptr<libpq_conn>> sessions;
    std::map<std::string, int> held;
    for (int i = 0; i < 6; ++i) {
        sessions.push_back(std::make_unique<libpq_conn>(proxied_conninfo(read_port_)));
        ++held[cluster().node_serving(*sessions.back())];
    }
    const std::string frozen = replicas_.front();
    ASSERT_GT(held[frozen], 0) << "no read session landed on " << frozen;
    const auto cut = "pgroute_sessions_cut_total{endpoint=\"read\",node=\"" + frozen +
                     "\",reason=\"node_lost\"}";
    const auto timeouts = node_series("pgroute_patroni_polls_total", frozen, "outcome=\"timeout\"");
    const double cut_before = metric(cut);
    const double timeouts_before = metric(timeouts);
    {
        const frozen_patroni freeze(cluster(), frozen);
        wait_until([&] { return metric(node_series("pgroute_node_up", frozen)) == 0; },
                   metric_timeout, frozen + " shows as down");
        wait_until([&] { return metric(cut) == cut_before + held[frozen]; }, metric_timeout,
                   "the sessions on " + frozen + " count as cut (node_lost)");
        EXPECT_GT(metric(timeouts), timeouts_before);
        const auto node = node_in(topology(), frozen);
        EXPECT_EQ(node.at("readable"), false);
        EXPECT_NE(node.at("not_readable_reason").get<std::string>(), "");
        EXPECT_EQ(node.at("sessions"), 0);
        // The cut is marked on the charts at the next sample.
        wait_until(
            [&] {
                const auto svg =
                    chart_svg(http_get_loopback(admin_port_, "/").body, "chart-sessions");
                return svg.find(" cut</title>") != std::string::npos;
            },
            30s, "the charts mark the cut");
    }
    wait_until([&] { return metric(node_series("pgroute_node_up", frozen)) == 1; }, metric_timeout,
               frozen + " is up again once thawed");
}

}  // namespace
}  // namespace pgroute::test_support
