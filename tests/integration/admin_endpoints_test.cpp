// pgroute's admin listener (static roles, a real primary + replica behind it): /health, /ready,
// /topology and `pgroute status`; the output checked by promtool, scraped by a real Prometheus
// server and rendered by headless Chromium; and proxying that goes on undisturbed while the
// listener is flooded with scrapes and garbage. The suite is admin_endpoints_fixture.h.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/admin_endpoints_fixture.h"
#include "tests/integration/headless_chromium.h"
#include "tests/integration/proxy_test_libpq.h"
#include "tests/integration/proxy_test_raw_client.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text_file.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;
using steady_clock = std::chrono::steady_clock;
using nlohmann::json;

TEST_F(admin_endpoints, HealthAndReadyAnswer200WhileThePrimaryIsTheWriteTarget) {
    const auto health = http_get_loopback(env().admin_port, "/health");
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(health.body, "ok\n");
    const auto ready = http_get_loopback(env().admin_port, "/ready");
    EXPECT_EQ(ready.status, 200);
    EXPECT_EQ(ready.body, "ready: write target primary\n");
}

TEST_F(admin_endpoints, TopologyListsBothNodesWithTheirRoles) {
    const auto topology = get_json(env().admin_port, "/topology");
    EXPECT_EQ(topology.at("mode"), "static");
    EXPECT_EQ(topology.at("write_target"), "primary");
    const auto& nodes = topology.at("nodes");
    ASSERT_EQ(nodes.size(), 2u);
    EXPECT_EQ(nodes[0].at("name"), "primary");
    EXPECT_EQ(nodes[0].at("role"), "leader");
    EXPECT_EQ(nodes[0].at("port"), env().cluster.port(pg_node::primary));
    EXPECT_EQ(nodes[1].at("name"), "replica1");
    EXPECT_EQ(nodes[1].at("role"), "replica");
    EXPECT_EQ(nodes[1].at("readable"), true);
}

TEST_F(admin_endpoints, StatusCommandPrintsTheNodesAsATable) {
    // The two tables are compared whole, Sessions column included.
    env().wait_for_metric(endpoint_series("pgroute_client_sessions_open", "write"), 0);
    env().wait_for_metric(endpoint_series("pgroute_client_sessions_open", "read"), 0);
    const auto by_url =
        run_command({.argv = {std::string(pgroute_binary), "status", "--url",
                              "http://127.0.0.1:" + std::to_string(env().admin_port)}},
                    10s);
    EXPECT_EQ(by_url.exit_code, 0) << by_url.output;
    EXPECT_NE(by_url.output.find("write target primary"), std::string::npos) << by_url.output;
    EXPECT_NE(by_url.output.find("| primary  |"), std::string::npos) << by_url.output;
    EXPECT_NE(by_url.output.find("| leader * |"), std::string::npos) << by_url.output;
    EXPECT_NE(by_url.output.find("| replica1 |"), std::string::npos) << by_url.output;

    const auto by_config = run_command({.argv = {std::string(pgroute_binary), "status", "-c",
                                                 env().pgroute.config_path().string()}},
                                       10s);
    EXPECT_EQ(by_config.exit_code, 0) << by_config.output;
    EXPECT_EQ(by_config.output, by_url.output);
}

TEST_F(admin_endpoints, StatusCommandFailsClearlyWhenNothingListens) {
    const auto result = run_command({.argv = {std::string(pgroute_binary), "status", "--url",
                                              "http://127.0.0.1:" + std::to_string(free_port())}},
                                    10s);
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.output.find("GET http://127.0.0.1:"), std::string::npos) << result.output;
}

TEST_F(admin_endpoints, MetricsPassPromtoolCheck) {
    libpq_conn(env().read_conninfo()).exec("SELECT 1");  // so histograms have observations
    const auto metrics = http_get_loopback(env().admin_port, "/metrics");
    ASSERT_EQ(metrics.status, 200) << metrics.error;
    const temp_dir dir("pgroute-promtool");
    const auto file = dir.path() / "metrics.txt";
    write_text(file, metrics.body);
    const auto result = run_command(
        {.argv = {"/bin/sh", "-c", "promtool check metrics < '" + file.string() + "'"}}, 30s);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    EXPECT_EQ(result.output, "") << "promtool has remarks";
}

TEST_F(admin_endpoints, ScrapersSlowClientsAndGarbageDoNotDisturbProxying) {
    libpq_conn conn(env().write_conninfo());
    constexpr int queries = 300;
    const auto time_queries = [&] {
        const auto start = steady_clock::now();
        for (int i = 0; i < queries; ++i)
            conn.exec("SELECT 1");
        return std::chrono::duration<double>(steady_clock::now() - start).count();
    };
    const double quiet = time_queries();

    // 40 clients that send half a request and then nothing.
    std::vector<std::unique_ptr<raw_client>> slow;
    for (int i = 0; i < 40; ++i) {
        slow.push_back(std::make_unique<raw_client>(env().admin_port));
        slow.back()->send("GET /metrics HTTP/1.1\r\nHost: x\r\n");
    }
    std::atomic<bool> done{false};
    std::atomic<int> scrapes{0}, failed_scrapes{0}, garbage_sent{0};
    const auto deadline = steady_clock::now() + 60s;
    const auto keep_going = [&] { return !done && steady_clock::now() < deadline; };
    std::vector<std::jthread> load;
    for (int i = 0; i < 2; ++i) {
        load.emplace_back([&] {
            while (keep_going()) {
                const auto answer = http_get_loopback(env().admin_port, "/metrics");
                ++(answer.status == 200 ? scrapes : failed_scrapes);
            }
        });
    }
    load.emplace_back([&] {
        std::mt19937 rng(7);
        std::uniform_int_distribution<int> byte(0, 255);
        while (keep_going()) {
            raw_client client(env().admin_port);
            std::string garbage(200, '\0');
            for (auto& c : garbage)
                c = static_cast<char>(byte(rng));
            client.send(garbage + "\r\n\r\n");
            (void)client.closes_after_at_most(4096, 5s);
            ++garbage_sent;
        }
    });
    const double loaded = time_queries();
    done = true;
    load.clear();

    std::cout << queries << " queries through the write endpoint: " << quiet << " s quiet, "
              << loaded << " s with " << scrapes << " scrapes, " << garbage_sent
              << " garbage requests and " << slow.size() << " stalled admin clients\n";
    EXPECT_GT(scrapes, 0);
    EXPECT_EQ(failed_scrapes, 0);
    EXPECT_GT(garbage_sent, 0);
    EXPECT_EQ(http_get_loopback(env().admin_port, "/health").status, 200);
}

TEST_F(admin_endpoints, StatusPageRendersInHeadlessChromiumWithTheNodeNames) {
    const temp_dir dir("pgroute-chromium");
    const std::string url = "http://127.0.0.1:" + std::to_string(env().admin_port) + "/";
    const auto chromium = [&](const std::string& action) {
        return headless_chromium(dir.path(), url, action);
    };
    const auto dom = chromium("--dump-dom");
    ASSERT_EQ(dom.exit_code, 0) << dom.output;
    EXPECT_NE(dom.output.find("<b>primary</b>"), std::string::npos) << dom.output;
    EXPECT_NE(dom.output.find("<b>replica1</b>"), std::string::npos) << dom.output;
    EXPECT_EQ(dom.output.find(":CONSOLE"), std::string::npos) << "the page logged to the console";

    const auto png = dir.path() / "status.png";
    const auto shot = chromium("--screenshot=" + png.string());
    ASSERT_EQ(shot.exit_code, 0) << shot.output;
    const auto image = read_text(png);
    EXPECT_EQ(png_size(image), std::make_pair(1280u, 800u));
    // A blank page of this size compresses to a few kB; tables of text take far more.
    EXPECT_GT(image.size(), 20'000u);
}

std::string url_encoded(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
            c == '~') {
            out += c;
        } else {
            char escaped[4];
            std::snprintf(escaped, sizeof escaped, "%%%02X", static_cast<unsigned char>(c));
            out += escaped;
        }
    }
    return out;
}

// The value of a PromQL query that yields one sample; nullopt while it yields none.
std::optional<double> prometheus_query(std::uint16_t port, std::string_view promql) {
    const auto answer = http_get_loopback(port, "/api/v1/query?query=" + url_encoded(promql));
    if (answer.status != 200) return std::nullopt;
    const auto result = json::parse(answer.body).at("data").at("result");
    if (result.size() != 1) return std::nullopt;
    return std::stod(result[0].at("value")[1].get<std::string>());
}

TEST_F(admin_endpoints, APrometheusServerScrapesPgrouteAndSeesTheQueryCounterGrow) {
    const temp_dir dir("pgroute-prometheus");
    const auto prometheus_port = free_port();
    const auto config = dir.path() / "prometheus.yml";
    write_text(config,
               "global:\n"
               "  scrape_interval: 1s\n"
               "  scrape_timeout: 1s\n"
               "scrape_configs:\n"
               "  - job_name: pgroute\n"
               "    static_configs:\n"
               "      - targets: ['127.0.0.1:" +
                   std::to_string(env().admin_port) + "']\n");
    child_process prometheus(
        {.argv = {"prometheus", "--config.file=" + config.string(),
                  "--storage.tsdb.path=" + (dir.path() / "data").string(),
                  "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port)}},
        dir.path() / "prometheus.log");
    const auto log = [&] { return read_text(dir.path() / "prometheus.log"); };

    const auto up = [&] { return prometheus_query(prometheus_port, "up{job=\"pgroute\"}"); };
    wait_until([&] { return up() == 1.0; }, 60s, "Prometheus reports up{job=\"pgroute\"} == 1",
               200ms);
    const std::string written = "sum(pgroute_queries_total{endpoint=\"write\"})";
    const auto before = prometheus_query(prometheus_port, written);
    ASSERT_TRUE(before) << log();
    {
        libpq_conn conn(env().write_conninfo());
        for (int i = 0; i < 25; ++i)
            conn.exec("SELECT 1");
    }
    wait_until(
        [&] {
            const auto now = prometheus_query(prometheus_port, written);
            return now && *now >= *before + 25;
        },
        30s, "Prometheus sees 25 more queries", 200ms);
    EXPECT_EQ(prometheus.terminate(SIGTERM, 10s), 0) << log();
}

// True once `endpoint` has accepted a connection and every connection it accepted has ended and
// been counted, as a session or as a refusal (a probe that connects and leaves ends as
// startup_abandoned).
}  // namespace
}  // namespace pgroute::test_support
