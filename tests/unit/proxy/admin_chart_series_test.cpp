#include <gtest/gtest.h>

#include "proxy/admin/chart_series.h"
#include "proxy/admin/status_charts.h"
#include "proxy/metrics/counters.h"
#include "xml_check.h"

namespace pgroute::proxy {
namespace {

using namespace std::chrono_literals;

const auto t0 = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 50);
const std::vector<std::string> endpoints{"write", "read"};

// A sample at t0 + `after` whose write endpoint has run `queries` queries, `fast` of them in
// 1 ms or less and the rest in 1 s or less.
history_sample at(std::chrono::seconds after, std::uint64_t queries, std::uint64_t fast,
                  std::vector<node_sample> nodes = {}) {
    history_sample sample;
    sample.at = t0 + after;
    sample.endpoints.resize(2);
    sample.endpoints[0].queries = queries;
    sample.endpoints[0].query_durations[3] = fast;             // le 0.001
    sample.endpoints[0].query_durations[12] = queries - fast;  // le 1
    sample.nodes = std::move(nodes);
    return sample;
}

TEST(chart_series, QueriesPerSecondIsTheRiseBetweenSamplesOverTheirInterval) {
    status_history history;
    history.record(at(0s, 0, 0));
    history.record(at(10s, 100, 100));
    history.record(at(30s, 500, 500));
    const auto lines = queries_per_second(history, endpoints);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].name, "write");
    ASSERT_EQ(lines[0].points.size(), 2u);
    EXPECT_EQ(lines[0].points[0].at, t0 + 10s);
    EXPECT_DOUBLE_EQ(*lines[0].points[0].value, 10.0);
    EXPECT_EQ(lines[0].points[1].at, t0 + 30s);
    EXPECT_DOUBLE_EQ(*lines[0].points[1].value, 20.0);
    EXPECT_DOUBLE_EQ(*lines[1].points[1].value, 0.0);
}

TEST(chart_series, P99IsOfTheQueriesThatEndedBetweenSamples) {
    status_history history;
    history.record(at(0s, 1000, 0));     // 1000 slow queries before: not in the next interval
    history.record(at(10s, 1100, 100));  // 100 fast ones: p99 under 1 ms
    history.record(at(20s, 1100, 100));  // none: a gap
    history.record(at(30s, 1200, 190));  // 90 fast, 10 slow: p99 among the slow
    const auto lines = p99_latency(history, endpoints);
    ASSERT_EQ(lines[0].points.size(), 3u);
    EXPECT_NEAR(*lines[0].points[0].value, 0.0005 + 0.0005 * 0.99, 1e-9);
    EXPECT_FALSE(lines[0].points[1].value);
    EXPECT_GT(*lines[0].points[2].value, 0.5);
    EXPECT_LE(*lines[0].points[2].value, 1.0);
    EXPECT_FALSE(lines[1].points[0].value);  // the read endpoint ran nothing
}

TEST(chart_series, LagHasALineForEachNodeThatReportedOne) {
    status_history history;
    history.record(at(0s, 0, 0, {{"pg1", 1, std::nullopt}, {"pg2", 0, 100}}));
    history.record(at(10s, 0, 0, {{"pg1", 1, std::nullopt}, {"pg2", 0, std::nullopt}}));
    history.record(at(20s, 0, 0, {{"pg1", 1, std::nullopt}, {"pg2", 0, 300}}));
    const auto lines = replica_lag(history);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].name, "pg2");
    ASSERT_EQ(lines[0].points.size(), 3u);
    EXPECT_DOUBLE_EQ(*lines[0].points[0].value, 100);
    EXPECT_FALSE(lines[0].points[1].value);
    EXPECT_DOUBLE_EQ(*lines[0].points[2].value, 300);
}

TEST(chart_series, SessionsPerNodeKeepsANodeThatCameOrWent) {
    status_history history;
    history.record(at(0s, 0, 0, {{"pg1", 4, {}}}));
    history.record(at(10s, 0, 0, {{"pg1", 2, {}}, {"pg3", 1, {}}}));
    history.record(at(20s, 0, 0, {{"pg3", 3, {}}}));
    const auto lines = sessions_per_node(history);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].name, "pg1");
    EXPECT_DOUBLE_EQ(*lines[0].points[1].value, 2);
    EXPECT_FALSE(lines[0].points[2].value);
    EXPECT_EQ(lines[1].name, "pg3");
    EXPECT_FALSE(lines[1].points[0].value);
    EXPECT_DOUBLE_EQ(*lines[1].points[2].value, 3);
}

TEST(chart_series, EventsBecomeMarkersThatSayWhatHappened) {
    status_history history;
    auto first = at(0s, 0, 0);
    auto second = at(10s, 0, 0);
    second.leader = "pg2";
    second.leader_changes = 1;
    second.cuts = 3;
    auto third = at(20s, 0, 0);
    third = second;
    third.at = t0 + 20s;
    third.moves = 1;
    history.record(first);
    history.record(second);
    history.record(third);
    const auto markers = topology_markers(history);
    ASSERT_EQ(markers.size(), 3u);
    EXPECT_EQ(markers[0].kind, chart_marker_kind::leader_change);
    EXPECT_EQ(markers[0].text, "leader changed to pg2");
    EXPECT_EQ(markers[0].at, t0 + 10s);
    EXPECT_EQ(markers[1].text, "3 sessions cut");
    EXPECT_EQ(markers[2].kind, chart_marker_kind::move);
    EXPECT_EQ(markers[2].text, "1 session moved");
    EXPECT_EQ(markers[2].at, t0 + 20s);
}

config two_endpoints() {
    config cfg;
    cfg.endpoints.push_back({"write", {"127.0.0.1", 5551}, route_kind::leader});
    cfg.endpoints.push_back({"read", {"127.0.0.1", 5552}, route_kind::replica});
    return cfg;
}

// Each inline <svg>...</svg> of a page.
std::vector<std::string> svgs_of(const std::string& html) {
    std::vector<std::string> found;
    for (auto start = html.find("<svg"); start != std::string::npos;
         start = html.find("<svg", start + 1)) {
        const auto end = html.find("</svg>", start);
        found.push_back(html.substr(start, end + 6 - start));
    }
    return found;
}

TEST(status_charts, FourWellFormedChartsThatSayNoDataYetBeforeAnySample) {
    const status_history history;
    const auto html = render_status_charts(history, two_endpoints(), t0, true);
    const auto svgs = svgs_of(html);
    ASSERT_EQ(svgs.size(), 4u);
    for (const auto& svg : svgs) {
        EXPECT_EQ(testing::xml_error(svg), "") << svg;
        EXPECT_NE(svg.find("no data yet"), std::string::npos) << svg;
    }
    EXPECT_NE(svgs[0].find("id=\"chart-qps\""), std::string::npos);
    EXPECT_NE(svgs[1].find("id=\"chart-p99\""), std::string::npos);
    EXPECT_NE(svgs[2].find("id=\"chart-lag\""), std::string::npos);
    EXPECT_NE(svgs[3].find("id=\"chart-sessions\""), std::string::npos);
}

TEST(status_charts, DrawTheHistoryWithItsMarkersOnEveryChart) {
    status_history history;
    history.record(at(0s, 0, 0, {{"pg1", 1, {}}, {"pg2", 0, 10}}));
    auto later = at(10s, 50, 50, {{"pg1", 2, {}}, {"pg2", 0, 20}});
    later.cuts = 1;
    history.record(later);
    const auto svgs = svgs_of(render_status_charts(history, two_endpoints(), t0 + 10s, true));
    ASSERT_EQ(svgs.size(), 4u);
    for (const auto& svg : svgs) {
        EXPECT_EQ(testing::xml_error(svg), "") << svg;
        EXPECT_NE(svg.find("<title>1 session cut</title>"), std::string::npos) << svg;
    }
    EXPECT_NE(svgs[0].find("class=\"max\">5/s</text>"), std::string::npos) << svgs[0];
    EXPECT_NE(svgs[2].find("class=\"max\">20 B</text>"), std::string::npos) << svgs[2];
    EXPECT_NE(svgs[3].find("<polyline"), std::string::npos) << svgs[3];
}

TEST(status_charts, StaticRolesSayWhyThereIsNoLag) {
    status_history history;
    history.record(at(0s, 0, 0, {{"pg1", 1, {}}}));
    const auto svgs = svgs_of(render_status_charts(history, two_endpoints(), t0, false));
    EXPECT_NE(svgs[2].find("no lag with static roles"), std::string::npos) << svgs[2];
}

}  // namespace
}  // namespace pgroute::proxy
