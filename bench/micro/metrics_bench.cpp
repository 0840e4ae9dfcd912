// The metric updates a session makes on its data path: a counter bump per read relayed, and per
// query cycle the duration histogram plus the query and transaction counters. They run on every
// message, so their cost is paid at the relay's full rate. Then a whole /metrics scrape of a large
// deployment, which the admin thread pays once per scrape interval.
#include <benchmark/benchmark.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>

#include "allocation_count.h"
#include "protocol/backend_message.h"
#include "proxy/admin/exposition_writer.h"
#include "proxy/admin/health_board.h"
#include "proxy/admin/metrics_collectable.h"
#include "proxy/admin/snapshot.h"
#include "proxy/config/config.h"
#include "proxy/metrics/counters.h"
#include "proxy/metrics/query_clock.h"

namespace pgroute::bench {
namespace {

using namespace std::chrono_literals;

void BM_counter_add(benchmark::State& state) {
    proxy::counter bytes_from_server;
    const auto allocations_before = allocations_so_far();
    for (auto _ : state) {
        bytes_from_server.add(8192);
        // As if the scrape thread could read it: the bump must reach memory every time.
        benchmark::DoNotOptimize(bytes_from_server);
    }
    report_allocations(state, allocations_before);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_counter_add);

// Durations that land in different buckets, so the bucket search is not always the same path.
constexpr std::array<std::chrono::nanoseconds, 8> mixed_query_durations{80us, 180us, 400us, 900us,
                                                                        3ms,  20ms,  300ms, 2s};

void BM_observe_query_duration(benchmark::State& state) {
    proxy::route_counters route;
    std::size_t next = 0;
    const auto allocations_before = allocations_so_far();
    for (auto _ : state) {
        proxy::observe_query_duration(route,
                                      mixed_query_durations[next++ % mixed_query_durations.size()]);
        benchmark::ClobberMemory();
    }
    report_allocations(state, allocations_before);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_observe_query_duration);

// The same two updates with prometheus-cpp's own metric types, which the data path does not use:
// the comparison that keeps pgroute's counters there (README, Metrics).
void BM_prometheus_cpp_counter_increment(benchmark::State& state) {
    prometheus::Registry registry;
    auto& bytes_from_server =
        prometheus::BuildCounter().Name("bytes_total").Help("h").Register(registry).Add({});
    const auto allocations_before = allocations_so_far();
    for (auto _ : state) {
        bytes_from_server.Increment(8192);
        benchmark::DoNotOptimize(bytes_from_server);
    }
    report_allocations(state, allocations_before);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_prometheus_cpp_counter_increment);

void BM_prometheus_cpp_histogram_observe(benchmark::State& state) {
    prometheus::Registry registry;
    auto& durations =
        prometheus::BuildHistogram()
            .Name("duration_seconds")
            .Help("h")
            .Register(registry)
            .Add({}, prometheus::Histogram::BucketBoundaries(proxy::query_duration_bounds.begin(),
                                                             proxy::query_duration_bounds.end()));
    std::size_t next = 0;
    const auto allocations_before = allocations_so_far();
    for (auto _ : state) {
        const std::chrono::duration<double> elapsed =
            mixed_query_durations[next++ % mixed_query_durations.size()];
        durations.Observe(elapsed.count());
        benchmark::ClobberMemory();
    }
    report_allocations(state, allocations_before);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_prometheus_cpp_histogram_observe);

// One whole query cycle as the relay meters it: a clock read when the client's Query goes out and
// one when the server's ReadyForQuery comes back, each handed to the session's query_clock.
void BM_query_clock_cycle(benchmark::State& state) {
    proxy::route_counters route;
    proxy::query_clock queries(route);
    using clock = proxy::query_clock::clock;
    const auto allocations_before = allocations_so_far();
    for (auto _ : state) {
        queries.cycle_sent(clock::now());
        queries.ready_for_query(protocol::transaction_status::idle, clock::now());
    }
    report_allocations(state, allocations_before);
    if (route.queries.value() != static_cast<std::uint64_t>(state.iterations())) {
        state.SkipWithError("a query cycle was not counted");
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_query_clock_cycle);

// 20 Patroni nodes behind a write and a read endpoint, two workers that have routed sessions to
// every node: about 2,000 series (each histogram bucket is one).
class large_deployment {
  public:
    static constexpr std::size_t node_count = 20;

    large_deployment() : board_(std::make_shared<health::topology_snapshot>(topology()), true) {
        health::topology_update round;
        round.topology = std::make_shared<health::topology_snapshot>(topology());
        for (std::size_t n = 0; n < node_count; ++n) {
            round.status_polls[node_name(n)] = {1000 + n, n, 2};
            auto& durations = round.status_poll_durations[node_name(n)];
            for (const auto elapsed : mixed_query_durations)
                durations.record(elapsed);
        }
        round.cluster_polls = {500, 1};
        board_.publish(std::move(round));
        for (auto* worker : {&worker_a_, &worker_b_}) {
            for (std::size_t n = 0; n < node_count; ++n) {
                for (std::size_t e = 0; e < cfg_->endpoints.size(); ++e) {
                    auto& route = worker->route(e, node_name(n));
                    route.backend_opened.add(40 + n);
                    route.bytes_from_client.add(123456789);
                    route.bytes_from_server.add(987654321012);
                    route.queries.add(5000 + n);
                    for (const auto elapsed : mixed_query_durations)
                        proxy::observe_query_duration(route, elapsed);
                }
            }
        }
    }

    [[nodiscard]] const proxy::admin_sources& sources() const { return sources_; }

  private:
    static std::string node_name(std::size_t n) { return "pg" + std::to_string(n + 1); }

    static std::shared_ptr<const proxy::config> two_endpoints() {
        auto cfg = std::make_shared<proxy::config>();
        cfg->endpoints.push_back({"write", {"127.0.0.1", 5551}, proxy::route_kind::leader});
        cfg->endpoints.push_back({"read", {"127.0.0.1", 5552}, proxy::route_kind::replica});
        return cfg;
    }

    static health::topology_snapshot topology() {
        health::topology_snapshot t;
        t.generation = 42;
        for (std::size_t n = 0; n < node_count; ++n) {
            health::node_view node;
            node.address = {node_name(n), "10.0.0." + std::to_string(n + 1), 5432};
            node.role = n == 0 ? health::node_role::leader : health::node_role::replica;
            node.up = node.readable = true;
            node.timeline = 7;
            if (n > 0) {
                node.lag_bytes = 4096 * n;
                node.lag_seconds = 0.25 * static_cast<double>(n);
            }
            t.nodes.push_back(node);
        }
        t.write_target = 0;
        return t;
    }

    std::shared_ptr<const proxy::config> cfg_ = two_endpoints();
    proxy::health_board board_;
    proxy::worker_metrics worker_a_{2};
    proxy::worker_metrics worker_b_{2};
    proxy::admin_sources sources_{cfg_, {&worker_a_, &worker_b_}, board_};
};

// What GET /metrics costs the admin thread: the workers' counters summed into prometheus-cpp
// families (metrics_collectable) and the page written, by pgroute's writer, which /metrics uses,
// or by prometheus-cpp's TextSerializer, which it does not (exposition_writer.h says why).
void BM_scrape_metrics(benchmark::State& state, const prometheus::Serializer& serializer) {
    const large_deployment deployment;
    const proxy::metrics_collectable collectable(deployment.sources());
    std::string page;
    const auto allocations_before = allocations_so_far();
    for (auto _ : state) {
        page = serializer.Serialize(collectable.Collect());
        benchmark::DoNotOptimize(page);
    }
    report_allocations(state, allocations_before);
    std::size_t series = 0;
    std::istringstream lines(page);
    for (std::string line; std::getline(lines, line);)
        series += !line.starts_with('#');
    state.counters["series"] = static_cast<double>(series);
    state.counters["bytes"] = static_cast<double>(page.size());
}
BENCHMARK_CAPTURE(BM_scrape_metrics, exposition_writer, proxy::exposition_writer());
BENCHMARK_CAPTURE(BM_scrape_metrics, text_serializer, prometheus::TextSerializer());

}  // namespace
}  // namespace pgroute::bench
