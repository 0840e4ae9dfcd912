#include <gtest/gtest.h>

#include <vector>

#include "proxy/admin/svg_chart.h"
#include "xml_check.h"

namespace pgroute::proxy {
namespace {

using namespace std::chrono_literals;
using testing::xml_error;

const auto now = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 50);

chart_frame frame(chart_unit unit = chart_unit::count) {
    chart_frame f;
    f.id = "chart-test";
    f.title = "Test chart";
    f.unit = unit;
    f.end = now;
    f.span = 900s;
    return f;
}

std::size_t occurrences(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
        ++n;
    return n;
}

TEST(svg_chart, IsWellFormedSvgOfAFixedSize) {
    const std::vector<chart_line> lines{
        {"write", {{now - 20s, 3}, {now - 10s, 4}, {now, 5}}},
        {"read", {{now - 20s, 1}, {now - 10s, std::nullopt}, {now, 2}}}};
    const std::vector<chart_marker> markers{{now - 15s, chart_marker_kind::leader_change, "x"}};
    const auto svg = render_svg_chart(frame(), lines, markers);
    EXPECT_EQ(xml_error(svg), "") << svg;
    EXPECT_EQ(svg.rfind("<svg id=\"chart-test\"", 0), 0u);
    EXPECT_NE(svg.find("width=\"400.0\" height=\"180.0\" viewBox=\"0 0 400.0 180.0\""),
              std::string::npos);
    EXPECT_NE(svg.find(">Test chart</text>"), std::string::npos);
    EXPECT_NE(svg.find(">-15 min</text>"), std::string::npos);
    EXPECT_NE(svg.find(">now</text>"), std::string::npos);
    EXPECT_EQ(svg.find("<script"), std::string::npos);
    EXPECT_EQ(svg.find("href"), std::string::npos);
}

TEST(svg_chart, ScalesTimeAcrossTheSpanAndValuesUpToTheLargest) {
    const std::vector<chart_line> lines{{"write", {{now - 900s, 0}, {now - 450s, 5}, {now, 10}}}};
    const auto svg = render_svg_chart(frame(), lines, {});
    // The plot runs from x 52 to 392 and from y 126 (0) up to 26 (the largest value, 10).
    EXPECT_NE(svg.find("points=\"52.0,126.0 222.0,76.0 392.0,26.0\""), std::string::npos) << svg;
    EXPECT_NE(svg.find("class=\"max\">10</text>"), std::string::npos) << svg;
    EXPECT_DOUBLE_EQ(chart_x(frame(), now - 225s), 52 + 340 * 0.75);
    EXPECT_DOUBLE_EQ(chart_y(2.5, 10), 126 - 100 * 0.25);
}

TEST(svg_chart, LeavesOutWhatIsOlderThanTheSpan) {
    const std::vector<chart_line> lines{{"write", {{now - 1000s, 100}, {now - 900s, 1}, {now, 2}}}};
    const std::vector<chart_marker> markers{{now - 901s, chart_marker_kind::cut, "old"}};
    const auto svg = render_svg_chart(frame(), lines, markers);
    EXPECT_NE(svg.find("points=\"52.0,76.0 392.0,26.0\""), std::string::npos) << svg;
    EXPECT_EQ(svg.find("class=\"marker\""), std::string::npos);
}

TEST(svg_chart, PlacesMarkersAtTheirEventsTimes) {
    const std::vector<chart_line> lines{{"write", {{now - 900s, 1}, {now, 1}}}};
    const std::vector<chart_marker> markers{
        {now - 450s, chart_marker_kind::leader_change, "leader changed to pg2"},
        {now - 90s, chart_marker_kind::cut, "3 sessions cut"},
        {now, chart_marker_kind::move, "1 session moved"}};
    const auto svg = render_svg_chart(frame(), lines, markers);
    EXPECT_EQ(occurrences(svg, "class=\"marker\""), 3u);
    EXPECT_NE(svg.find("<title>leader changed to pg2</title><line x1=\"222.0\" y1=\"26.0\" "
                       "x2=\"222.0\" y2=\"126.0\" stroke=\"#b3261e\""),
              std::string::npos)
        << svg;
    EXPECT_NE(svg.find("<title>3 sessions cut</title><line x1=\"358.0\""), std::string::npos);
    EXPECT_NE(svg.find("<title>1 session moved</title><line x1=\"392.0\""), std::string::npos);
    EXPECT_NE(svg.find(">L</text>"), std::string::npos);
    EXPECT_NE(svg.find(">C</text>"), std::string::npos);
    EXPECT_NE(svg.find(">M</text>"), std::string::npos);
}

TEST(svg_chart, AGapSplitsTheLineAndALonePointIsADot) {
    const std::vector<chart_line> lines{
        {"read", {{now - 900s, 2}, {now - 450s, 2}, {now - 300s, std::nullopt}, {now, 2}}}};
    const auto svg = render_svg_chart(frame(), lines, {});
    EXPECT_EQ(occurrences(svg, "<polyline"), 1u);
    EXPECT_NE(svg.find("points=\"52.0,26.0 222.0,26.0\""), std::string::npos) << svg;
    EXPECT_NE(svg.find("<circle cx=\"392.0\" cy=\"26.0\""), std::string::npos) << svg;
}

TEST(svg_chart, NoValuesRendersNoDataYet) {
    for (const auto& lines :
         {std::vector<chart_line>{}, std::vector<chart_line>{{"write", {{now, std::nullopt}}}}}) {
        const auto svg = render_svg_chart(frame(), lines, {});
        EXPECT_EQ(xml_error(svg), "") << svg;
        EXPECT_NE(svg.find("class=\"empty\" fill=\"#777\">no data yet</text>"), std::string::npos)
            << svg;
        EXPECT_EQ(svg.find("<polyline"), std::string::npos);
        EXPECT_NE(svg.find(">Test chart</text>"), std::string::npos);
    }
}

TEST(svg_chart, AChartWithNothingToDrawStillMarksItsEvents) {
    const std::vector<chart_marker> markers{{now - 450s, chart_marker_kind::leader_change, "x"}};
    const auto svg = render_svg_chart(frame(), {}, markers);
    EXPECT_EQ(xml_error(svg), "") << svg;
    EXPECT_NE(svg.find("no data yet"), std::string::npos);
    EXPECT_NE(svg.find("<title>x</title><line x1=\"222.0\""), std::string::npos) << svg;
}

TEST(svg_chart, AllZerosIsAFlatLineOnTheAxis) {
    const std::vector<chart_line> lines{{"write", {{now - 10s, 0}, {now, 0}}}};
    const auto svg = render_svg_chart(frame(), lines, {});
    EXPECT_NE(svg.find(",126.0 392.0,126.0\""), std::string::npos) << svg;
}

TEST(svg_chart, EscapesEveryTextItShows) {
    auto f = frame();
    f.title = "a<b>&\"c\"";
    f.id = "x\"y";
    const std::vector<chart_line> lines{{"<pg&1>", {{now - 10s, 1}, {now, 2}}}};
    const std::vector<chart_marker> markers{{now, chart_marker_kind::cut, "</title><script>"}};
    const auto svg = render_svg_chart(f, lines, markers);
    EXPECT_EQ(xml_error(svg), "") << svg;
    EXPECT_EQ(svg.find("<script>"), std::string::npos);
    EXPECT_NE(svg.find("&lt;pg&amp;1&gt;"), std::string::npos);
    EXPECT_NE(svg.find("id=\"x&quot;y\""), std::string::npos);
}

TEST(svg_chart, TheLegendWrapsIntoASecondRowAndLeavesOutWhatFitsInNeither) {
    std::vector<chart_line> lines;
    for (int i = 0; i < 12; ++i)
        lines.push_back({"postgres-node-" + std::to_string(i), {{now, 1.0}}});
    const auto svg = render_svg_chart(frame(), lines, {});
    EXPECT_EQ(xml_error(svg), "") << svg;
    EXPECT_NE(svg.find("y=\"156.0\" text-anchor=\"start\">postgres-node-0<"), std::string::npos)
        << svg;
    EXPECT_NE(svg.find("y=\"170.0\" text-anchor=\"start\">postgres-node-2<"), std::string::npos)
        << svg;
    EXPECT_EQ(svg.find(">postgres-node-11<"), std::string::npos) << svg;
}

TEST(svg_chart, PrintsValuesInTheirUnits) {
    EXPECT_EQ(format_chart_value(0.0025, chart_unit::seconds), "2.5 ms");
    EXPECT_EQ(format_chart_value(0.00025, chart_unit::seconds), "250 \u00b5s");
    EXPECT_EQ(format_chart_value(1.5, chart_unit::seconds), "1.5 s");
    EXPECT_EQ(format_chart_value(12500, chart_unit::per_second), "12.5k/s");
    EXPECT_EQ(format_chart_value(0.5, chart_unit::per_second), "0.5/s");
    EXPECT_EQ(format_chart_value(1.5 * 1024 * 1024, chart_unit::bytes), "1.5 MB");
    EXPECT_EQ(format_chart_value(512, chart_unit::bytes), "512 B");
    EXPECT_EQ(format_chart_value(7, chart_unit::count), "7");
    EXPECT_EQ(format_chart_value(250, chart_unit::count), "250");
}

}  // namespace
}  // namespace pgroute::proxy
