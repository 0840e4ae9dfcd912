// pgroute's admin listener (static roles, a real primary + replica behind it): the metrics that
// queries, sessions and refusals move, /topology, /health, /ready and `pgroute status`; the output
// checked by promtool, scraped by a real Prometheus server and rendered by headless Chromium; and
// proxying that goes on undisturbed while the listener is flooded with scrapes and garbage.
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

#include "protocol/cancel_key.h"
#include "tests/integration/admin_test_client.h"
#include "tests/integration/proxy_test_cluster.h"
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

constexpr std::string_view pgroute_binary = PGROUTE_BINARY;
constexpr auto metric_timeout = 10s;

// pgroute in static mode in front of a primary and a replica, with its admin listener on.
struct admin_cluster {
    pg_cluster cluster;
    std::vector<std::uint16_t> ports = free_ports(3);
    proxy_ports proxy{ports[0], ports[1]};
    std::uint16_t admin_port = ports[2];
    pgroute_process pgroute{cluster_config(cluster, proxy, admin_section(admin_port)),
                            {proxy.write, proxy.read, admin_port}};

    [[nodiscard]] std::string write_conninfo() const {
        return loopback_conninfo(proxy.write, superuser, test_database);
    }
    [[nodiscard]] std::string read_conninfo() const {
        return loopback_conninfo(proxy.read, superuser, test_database);
    }
    [[nodiscard]] double metric(std::string_view series) const {
        return scrape(admin_port, series);
    }
    // Returns once `series` has reached `value`; throws (naming it) after metric_timeout.
    void wait_for_metric(const std::string& series, double value) const {
        wait_until([&] { return metric(series) == value; }, metric_timeout,
                   series + " == " + std::to_string(value));
    }
};

using admin_endpoints = shared_suite<admin_cluster>;

std::string route_series(std::string_view family, std::string_view endpoint,
                         std::string_view node) {
    return std::string(family) + "{endpoint=\"" + std::string(endpoint) + "\",node=\"" +
           std::string(node) + "\"}";
}

std::string endpoint_series(std::string_view family, std::string_view endpoint,
                            std::string_view reason = {}) {
    std::string series = std::string(family) + "{endpoint=\"" + std::string(endpoint) + "\"";
    if (!reason.empty()) series += ",reason=\"" + std::string(reason) + "\"";
    return series + "}";
}

json get_json(std::uint16_t port, const std::string& path) {
    const auto answer = http_get_loopback(port, path);
    if (answer.status != 200) throw std::runtime_error("GET " + path + ": " + answer.error);
    return json::parse(answer.body);
}

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

TEST_F(admin_endpoints, SimpleAndExtendedQueryCyclesAndTransactionsAreCounted) {
    const auto queries = route_series("pgroute_queries_total", "write", "primary");
    const auto transactions = route_series("pgroute_transactions_total", "write", "primary");
    const auto timed = route_series("pgroute_query_duration_seconds_count", "write", "primary");
    const auto duration = route_series("pgroute_query_duration_seconds_sum", "write", "primary");
    const double queries_before = env().metric(queries);
    const double transactions_before = env().metric(transactions);
    const double timed_before = env().metric(timed);
    const double duration_before = env().metric(duration);
    {
        libpq_conn conn(env().write_conninfo());
        conn.exec("SELECT 1");                            // Query: 1 cycle, 1 transaction
        conn.exec("SELECT 2");                            // 1, 1
        (void)conn.exec_params("SELECT $1::int", {"3"});  // Parse/Bind/Execute/Sync: 1, 1
        conn.exec("BEGIN");                               // 1, 0
        conn.exec("SELECT 4");                            // 1, 0
        conn.exec("COMMIT");                              // 1, 1
    }
    EXPECT_EQ(env().metric(queries) - queries_before, 6);
    EXPECT_EQ(env().metric(transactions) - transactions_before, 4);
    EXPECT_EQ(env().metric(timed) - timed_before, 6);
    EXPECT_GT(env().metric(duration) - duration_before, 0);
}

TEST_F(admin_endpoints, EachSyncOfAPipelineIsOneTimedCycle) {
    const auto queries = route_series("pgroute_queries_total", "write", "primary");
    const auto timed = route_series("pgroute_query_duration_seconds_count", "write", "primary");
    const double queries_before = env().metric(queries);
    const double timed_before = env().metric(timed);
    {
        libpq_conn conn(env().write_conninfo());
        PGconn* raw = conn.raw();
        ASSERT_EQ(PQenterPipelineMode(raw), 1);
        // Two statements before the first Sync, then one more with its own Sync: 2 cycles.
        const char* value = "7";
        for (int i = 0; i < 2; ++i) {
            ASSERT_EQ(
                PQsendQueryParams(raw, "SELECT $1::int", 1, nullptr, &value, nullptr, nullptr, 0),
                1);
        }
        ASSERT_EQ(PQpipelineSync(raw), 1);
        ASSERT_EQ(PQsendQueryParams(raw, "SELECT $1::int", 1, nullptr, &value, nullptr, nullptr, 0),
                  1);
        ASSERT_EQ(PQpipelineSync(raw), 1);
        for (const int statements_before_sync : {2, 1}) {
            for (int i = 0; i < statements_before_sync; ++i) {
                auto result = next_result(raw);
                ASSERT_TRUE(result);
                EXPECT_EQ(PQresultStatus(result.get()), PGRES_TUPLES_OK);
                EXPECT_FALSE(next_result(raw));  // the end of that statement's results
            }
            auto sync = next_result(raw);
            ASSERT_TRUE(sync);
            EXPECT_EQ(PQresultStatus(sync.get()), PGRES_PIPELINE_SYNC);
        }
        ASSERT_EQ(PQexitPipelineMode(raw), 1);
    }
    EXPECT_EQ(env().metric(queries) - queries_before, 2);
    EXPECT_EQ(env().metric(timed) - timed_before, 2);
}

TEST_F(admin_endpoints, RelayedBytesAreCountedEachWay) {
    const auto from_client =
        "pgroute_relayed_bytes_total{endpoint=\"read\",node=\"replica1\","
        "direction=\"client_to_server\"}";
    const auto to_client =
        "pgroute_relayed_bytes_total{endpoint=\"read\",node=\"replica1\","
        "direction=\"server_to_client\"}";
    const double from_before = env().metric(from_client);
    const double to_before = env().metric(to_client);
    const std::string sql = "SELECT repeat('x', 200000)";
    {
        libpq_conn conn(env().read_conninfo());
        conn.exec(sql);
    }
    // The relay counts as it reads, so the closing Terminate may land a moment after the client
    // is gone.
    wait_until([&] { return env().metric(from_client) - from_before >= sql.size(); },
               metric_timeout, "the query's bytes are counted");
    const double sent = env().metric(from_client) - from_before;
    const double received = env().metric(to_client) - to_before;
    EXPECT_LT(sent, 1000);  // the query and a Terminate; the startup packet is not relayed
    EXPECT_GE(received, 200000);
    EXPECT_LT(received, 210000);  // the row plus authentication and parameter chatter
}

TEST_F(admin_endpoints, OpenSessionsFollowTheClientsOnTopologyAndMetrics) {
    const auto open = endpoint_series("pgroute_client_sessions_open", "read");
    const auto backends = route_series("pgroute_backend_connections", "read", "replica1");
    env().wait_for_metric(open, 0);  // earlier tests' sessions have all ended
    {
        std::vector<std::unique_ptr<libpq_conn>> sessions;
        for (int i = 0; i < 3; ++i) {
            sessions.push_back(std::make_unique<libpq_conn>(env().read_conninfo()));
            sessions.back()->exec("SELECT 1");
        }
        env().wait_for_metric(open, 3);
        EXPECT_EQ(env().metric(backends), 3);
        const auto nodes = get_json(env().admin_port, "/topology").at("nodes");
        EXPECT_EQ(nodes[1].at("sessions"), 3);
        EXPECT_EQ(nodes[0].at("sessions"), 0);
    }
    env().wait_for_metric(open, 0);
    EXPECT_EQ(env().metric(backends), 0);
}

TEST_F(admin_endpoints, StartupFailuresAreCountedAsRejectedByReason) {
    const auto total = endpoint_series("pgroute_client_sessions_total", "write");
    const auto bad =
        endpoint_series("pgroute_client_sessions_rejected_total", "write", "startup_error");
    const auto left =
        endpoint_series("pgroute_client_sessions_rejected_total", "write", "startup_abandoned");
    const double total_before = env().metric(total);
    const double bad_before = env().metric(bad);
    const double left_before = env().metric(left);
    {
        raw_client client(env().proxy.write);
        client.send(message_header(0, 3).substr(1));  // a length that cannot count itself
        EXPECT_TRUE(client.closes_after_at_most(512));
    }
    { raw_client client(env().proxy.write); }  // connects and leaves without a word
    env().wait_for_metric(left, left_before + 1);
    EXPECT_EQ(env().metric(bad), bad_before + 1);
    EXPECT_EQ(env().metric(total), total_before + 2);
}

std::string cancel_series(std::string_view endpoint, std::string_view outcome) {
    return "pgroute_cancel_requests_total{endpoint=\"" + std::string(endpoint) + "\",outcome=\"" +
           std::string(outcome) + "\"}";
}

TEST_F(admin_endpoints, CancelRequestsAreCountedByWhatBecameOfThem) {
    const auto forwarded = cancel_series("write", "forwarded");
    const auto unknown = cancel_series("write", "unknown_key");
    const double forwarded_before = env().metric(forwarded);
    const double unknown_before = env().metric(unknown);
    raw_client session(env().proxy.write);
    session.send(startup_packet(
        {{"user", std::string(trust_role.name)}, {"database", std::string(test_database)}}));
    std::optional<protocol::cancel_key> key;
    for (const auto& message : session.read_until_ready()) {
        if (message.type == protocol::PqMsg_BackendKeyData) {
            key = protocol::read_backend_key_data(message.body);
        }
    }
    ASSERT_TRUE(key.has_value());

    raw_client(env().proxy.write).send(protocol::build_cancel_request(*key));
    env().wait_for_metric(forwarded, forwarded_before + 1);
    // 64 random bits: no session holds the key one bit away from a live one.
    auto forged = *key;
    forged.secret[0] = static_cast<char>(forged.secret[0] ^ 1);
    raw_client(env().proxy.write).send(protocol::build_cancel_request(forged));
    env().wait_for_metric(unknown, unknown_before + 1);
    EXPECT_EQ(env().metric(forwarded), forwarded_before + 1);
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

// A PNG's width and height, from its IHDR chunk; {0, 0} if the bytes are not a PNG.
std::pair<std::uint32_t, std::uint32_t> png_size(const std::string& bytes) {
    if (bytes.size() < 24 || bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) return {0, 0};
    const auto u32 = [&](std::size_t at) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at])) << 24 |
               static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 16 |
               static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 2])) << 8 |
               static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 3]));
    };
    return {u32(16), u32(20)};
}

TEST_F(admin_endpoints, StatusPageRendersInHeadlessChromiumWithTheNodeNames) {
    const temp_dir dir("pgroute-chromium");
    const std::string url = "http://127.0.0.1:" + std::to_string(env().admin_port) + "/";
    const auto chromium = [&](const std::string& action) {
        return run_command(
            {.argv = {"chromium", "--headless", "--no-sandbox", "--disable-gpu",
                      "--user-data-dir=" + (dir.path() / "profile").string(),
                      "--enable-logging=stderr", "--v=0", "--window-size=1280,800", action, url}},
            90s);
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
bool every_connection_counted(std::uint16_t admin_port, std::string_view endpoint) {
    const double accepted =
        scrape(admin_port, endpoint_series("pgroute_client_sessions_total", endpoint));
    double ended = 0;
    for (const char* reason : {"too_many_clients", "startup_error", "startup_abandoned", "no_node",
                               "node_unreachable"}) {
        ended += scrape(admin_port, endpoint_series("pgroute_client_sessions_rejected_total",
                                                    endpoint, reason));
    }
    return accepted >= 1 && accepted == ended &&
           scrape(admin_port, endpoint_series("pgroute_client_sessions_open", endpoint)) == 0;
}

// pgroute with room for one client, its admin listener on, returned once its start-up probes are
// counted. pgroute_process probes each port once it starts, and pgroute may accept those
// connections after the probes are gone: one of them can take the slot while the other is
// refused, so a test's baseline is read only once every accepted connection has been counted.
struct one_client_pgroute {
    explicit one_client_pgroute(const pg_cluster& cluster)
        : process(
              cluster_config(cluster, {ports[0], ports[1]},
                             "limits:\n  max_client_connections: 1\n" + admin_section(ports[2])),
              {ports[0], ports[1], ports[2]}) {
        wait_until(
            [&] {
                return every_connection_counted(admin_port(), "write") &&
                       every_connection_counted(admin_port(), "read");
            },
            metric_timeout, "pgroute has counted its start-up probes");
    }
    [[nodiscard]] std::uint16_t write_port() const { return ports[0]; }
    [[nodiscard]] std::uint16_t admin_port() const { return ports[2]; }

    std::vector<std::uint16_t> ports = free_ports(3);
    pgroute_process process;
};

TEST_F(admin_endpoints, ClientsOverTheLimitAreCountedAsTooManyClients) {
    one_client_pgroute limited(env().cluster);
    // Without SSL, so that each refused login is one connection rather than two (libpq's
    // sslmode=prefer tries again without it after the refusal).
    const auto conninfo =
        loopback_conninfo(limited.write_port(), superuser, test_database) + " sslmode=disable";
    const auto refused =
        endpoint_series("pgroute_client_sessions_rejected_total", "write", "too_many_clients");
    const double refused_before = scrape(limited.admin_port(), refused);
    const libpq_conn first(conninfo);
    EXPECT_EQ(sqlstate_thrown_by([&] { const libpq_conn second(conninfo); }), "53300");
    EXPECT_EQ(scrape(limited.admin_port(), refused), refused_before + 1);
    limited.process.stop();
}

// A client turned away for the limit may still cancel: that is how it gets out from under a full
// pgroute. Its request is served and counted like any other.
TEST_F(admin_endpoints, ACancelRequestOverTheClientLimitIsServedAndCounted) {
    one_client_pgroute limited(env().cluster);
    const auto unknown = cancel_series("write", "unknown_key");
    const double before = scrape(limited.admin_port(), unknown);
    const libpq_conn first(loopback_conninfo(limited.write_port(), superuser, test_database));
    raw_client(limited.write_port())
        .send(protocol::build_cancel_request({1, std::string("\0\0\0\2", 4)}));
    wait_until([&] { return scrape(limited.admin_port(), unknown) == before + 1; }, metric_timeout,
               unknown + " counts the refused client's cancel");
    EXPECT_NE(limited.process.log_text().find("refused client cancel request dropped"),
              std::string::npos);
    limited.process.stop();
}

// Last: it stops the replica for a moment.
TEST_F(admin_endpoints, AConnectFailureCountsAsNodeUnreachable) {
    const auto unreachable =
        endpoint_series("pgroute_client_sessions_rejected_total", "read", "node_unreachable");
    const double before = env().metric(unreachable);
    env().cluster.kill_replica();
    struct restart_case {
        pg_cluster& cluster;
        ~restart_case() {
            try {
                cluster.start_replica();
            } catch (const std::exception& e) {
                ADD_FAILURE() << "the replica did not come back: " << e.what();
            }
        }
    } restart{env().cluster};
    EXPECT_EQ(sqlstate_thrown_by([&] { const libpq_conn refused(env().read_conninfo()); }),
              "08006");
    EXPECT_EQ(env().metric(unreachable), before + 1);
}

}  // namespace
}  // namespace pgroute::test_support
