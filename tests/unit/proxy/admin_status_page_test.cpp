#include <gtest/gtest.h>

#include "admin_sources_fixture.h"
#include "proxy/admin/history_sample.h"
#include "proxy/admin/status_page.h"

namespace pgroute::proxy {
namespace {

using health::node_role;
using testing::admin_fixture;
using testing::make_topology;

TEST(status_page, ShowsEveryNodeWithItsRoleAndTheWriteTarget) {
    const admin_fixture f(
        make_topology({{"pg1", node_role::leader}, {"pg2", node_role::replica, true}}));
    const auto html = render_status_page(f.snapshot(), f.cfg, f.history);
    EXPECT_NE(html.find("<b>pg1</b>"), std::string::npos);
    EXPECT_NE(html.find("<b>pg2</b>"), std::string::npos);
    EXPECT_NE(html.find("leader (write target)"), std::string::npos);
    EXPECT_NE(html.find("Write target: <b><span class=\"ok\">pg1</span>"), std::string::npos);
}

TEST(status_page, SaysWhyThereIsNoWriteTarget) {
    const admin_fixture f(make_topology({{"pg1", node_role::replica}}));
    const auto html = render_status_page(f.snapshot(), f.cfg, f.history);
    EXPECT_NE(html.find("none</span> (no running leader)"), std::string::npos);
}

TEST(status_page, ShowsWhyAReplicaTakesNoReads) {
    const admin_fixture f(make_topology({{"pg1", node_role::leader}, {"pg2", node_role::replica}}));
    const auto html = render_status_page(f.snapshot(), f.cfg, f.history);
    EXPECT_NE(html.find("no</span>: lag 2000000 bytes &gt; max_lag 1048576"), std::string::npos);
}

TEST(status_page, RefreshesItselfAndNeedsNothingFromOutside) {
    const admin_fixture f(make_topology({{"pg1", node_role::leader}}));
    const auto html = render_status_page(f.snapshot(), f.cfg, f.history);
    EXPECT_NE(html.find("<meta http-equiv=\"refresh\" content=\"2\">"), std::string::npos);
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(html.find("src="), std::string::npos);
    EXPECT_EQ(html.find("http://"), std::string::npos);
    EXPECT_EQ(html.find("https://"), std::string::npos);
}

TEST(status_page, EscapesNamesAndEvents) {
    auto f = admin_fixture(make_topology({{"<pg&1>", node_role::leader}}));
    f.board.publish({f.board.read().topology,
                     {{health::topology_event_kind::joined_read_pool, "<script>", "", ""}},
                     {},
                     {},
                     {},
                     std::chrono::system_clock::now()});
    const auto html = render_status_page(f.snapshot(), f.cfg, f.history);
    EXPECT_NE(html.find("&lt;pg&amp;1&gt;"), std::string::npos);
    EXPECT_EQ(html.find("<script>"), std::string::npos);
    EXPECT_EQ(html.find("<pg&1>"), std::string::npos);
}

TEST(status_page, ListsEndpointsWithTheirCounts) {
    auto f = admin_fixture(make_topology({{"pg1", node_role::leader}}));
    f.worker_a.endpoint(0).accepted.add(12);
    f.worker_a.route(0, "pg1").queries.add(34);
    f.worker_a.endpoint(0).rejections(session_rejection::no_node).add(3);
    f.worker_a.endpoint(0).pinned.add(7);
    f.worker_b.endpoint(0).pinned_ended.add(2);
    f.worker_a.endpoint(0).moved(move_reason::leader_changed).add(40);
    f.worker_b.endpoint(0).moved(move_reason::node_shutdown).add(2);
    const auto html = render_status_page(f.snapshot(), f.cfg, f.history);
    EXPECT_NE(html.find("<th>Rejected</th><th>Pinned</th><th>Moved</th><th>Queries</th>"),
              std::string::npos);
    // Open, total, rejected, pinned (7 pinned, 2 of them ended), moved (both workers), queries.
    EXPECT_NE(html.find("<td><b>write</b></td><td>127.0.0.1:5551</td><td>leader</td>"
                        "<td class=\"num\">0</td><td class=\"num\">12</td>"
                        "<td class=\"num\">3</td><td class=\"num\">5</td>"
                        "<td class=\"num\">42</td><td class=\"num\">34</td>"),
              std::string::npos)
        << html;
}

TEST(status_page, HtmlEscapeCoversTheFiveSpecialCharacters) {
    EXPECT_EQ(html_escape("<a href=\"x\">'&'</a>"),
              "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST(status_page, ShowsTheLastFifteenMinutesAsChartsWithNoDataYetAtFirst) {
    const admin_fixture f(make_topology({{"pg1", node_role::leader}}));
    const auto html = render_status_page(f.snapshot(), f.cfg, f.history);
    EXPECT_NE(html.find("<h2>Last 15 minutes</h2>"), std::string::npos);
    for (const auto* id : {"chart-qps", "chart-p99", "chart-lag", "chart-sessions"})
        EXPECT_NE(html.find(std::string("<svg id=\"") + id + "\""), std::string::npos) << id;
    EXPECT_NE(html.find("no data yet"), std::string::npos);
}

TEST(status_page, ChartsTheSampledHistoryUpToTheSnapshot) {
    auto f = admin_fixture(make_topology({{"pg1", node_role::leader}}));
    auto& route = f.worker_a.route(0, "pg1");
    route.backend_opened.add(2);
    auto first = take_history_sample(f.snapshot());
    first.at -= std::chrono::seconds(10);
    f.history.record(first);
    route.queries.add(40);
    f.history.record(take_history_sample(f.snapshot()));
    const auto html = render_status_page(f.snapshot(), f.cfg, f.history);
    const auto qps = html.find("<svg id=\"chart-qps\"");
    ASSERT_NE(qps, std::string::npos);
    const auto chart = html.substr(qps, html.find("</svg>", qps) - qps);
    EXPECT_NE(chart.find("class=\"max\">4/s</text>"), std::string::npos) << chart;
}

}  // namespace
}  // namespace pgroute::proxy
