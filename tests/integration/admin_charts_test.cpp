// The status page's charts of the last 15 minutes, drawn by a real pgroute from its own samples
// (every 10 s on the admin thread) and rendered by headless Chromium: queries run through the
// write endpoint until the page charts them, then the DOM Chromium built is read and a
// screenshot taken. The suite is admin_endpoints_fixture.h.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>

#include "tests/integration/admin_endpoints_fixture.h"
#include "tests/integration/headless_chromium.h"
#include "tests/integration/proxy_test_libpq.h"
#include "tests/integration/status_page_charts.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text_file.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

TEST_F(admin_endpoints, StatusPageChartsTheLastMinutesInHeadlessChromium) {
    // Two samples with queries between them make a point, three a line: up to 30 s of load.
    std::atomic<bool> done{false};
    std::jthread load([&] {
        libpq_conn conn(env().write_conninfo());
        while (!done) {
            conn.exec("SELECT 1");
            std::this_thread::sleep_for(2ms);
        }
    });
    const auto status_page = [&] { return http_get_loopback(env().admin_port, "/").body; };
    wait_until(
        [&] {
            const auto page = status_page();
            const auto p99 = chart_svg(page, "chart-p99");
            return has_line(chart_svg(page, "chart-qps")) && has_line(p99) &&
                   p99.find("no data yet") == std::string::npos;
        },
        40s, "the status page charts queries and their p99 with lines", 500ms);
    done = true;
    load.join();

    const temp_dir dir("pgroute-charts");
    const std::string url = "http://127.0.0.1:" + std::to_string(env().admin_port) + "/";
    const auto dom = headless_chromium(dir.path(), url, "--dump-dom");
    ASSERT_EQ(dom.exit_code, 0) << dom.output;
    EXPECT_EQ(dom.output.find(":CONSOLE"), std::string::npos) << "the page logged to the console";
    // Chromium parsed the SVG into the DOM it rendered: the charts are elements, not text.
    const auto qps = chart_svg(dom.output, "chart-qps");
    ASSERT_NE(qps, "") << dom.output;
    EXPECT_TRUE(has_line(qps)) << qps;
    EXPECT_NE(qps.find(">write</text>"), std::string::npos) << qps;  // the legend
    EXPECT_EQ(qps.find("class=\"max\">1/s<"), std::string::npos) << "no queries counted: " << qps;
    EXPECT_TRUE(has_line(chart_svg(dom.output, "chart-p99")));
    const auto sessions = chart_svg(dom.output, "chart-sessions");
    EXPECT_TRUE(has_line(sessions)) << sessions;
    EXPECT_NE(sessions.find(">primary</text>"), std::string::npos) << sessions;
    EXPECT_NE(sessions.find(">replica1</text>"), std::string::npos) << sessions;
    EXPECT_NE(chart_svg(dom.output, "chart-lag").find("no lag with static roles"),
              std::string::npos);

    // Tall enough for the tables and the charts; kept beside the test binary for a person to see.
    const auto png = dir.path() / "status-charts.png";
    const auto shot =
        headless_chromium(dir.path(), url, "--screenshot=" + png.string(), "1280,1100");
    ASSERT_EQ(shot.exit_code, 0) << shot.output;
    const auto image = read_text(png);
    EXPECT_EQ(png_size(image), std::make_pair(1280u, 1100u));
    // The status page test's page of tables alone is over 20 kB; coloured lines add more.
    EXPECT_GT(image.size(), 30'000u);
    std::filesystem::copy_file(png, "status-charts.png",
                               std::filesystem::copy_options::overwrite_existing);
}

}  // namespace
}  // namespace pgroute::test_support
