// The metric updates a session makes on its data path: a counter bump per read relayed, and per
// query cycle the duration histogram plus the query and transaction counters. They run on every
// message, so their cost is paid at the relay's full rate.
#include <benchmark/benchmark.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "protocol/backend_message.h"
#include "proxy/metrics/counters.h"
#include "proxy/metrics/query_clock.h"

namespace pgroute::bench {
namespace {

using namespace std::chrono_literals;

void BM_counter_add(benchmark::State& state) {
    proxy::counter bytes_from_server;
    for (auto _ : state) {
        bytes_from_server.add(8192);
        // As if the scrape thread could read it: the bump must reach memory every time.
        benchmark::DoNotOptimize(bytes_from_server);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_counter_add);

// Durations that land in different buckets, so the bucket search is not always the same path.
constexpr std::array<std::chrono::nanoseconds, 8> mixed_query_durations{80us, 180us, 400us, 900us,
                                                                        3ms,  20ms,  300ms, 2s};

void BM_observe_query_duration(benchmark::State& state) {
    proxy::route_counters route;
    std::size_t next = 0;
    for (auto _ : state) {
        proxy::observe_query_duration(route,
                                      mixed_query_durations[next++ % mixed_query_durations.size()]);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_observe_query_duration);

// One whole query cycle as the relay meters it: a clock read when the client's Query goes out and
// one when the server's ReadyForQuery comes back, each handed to the session's query_clock.
void BM_query_clock_cycle(benchmark::State& state) {
    proxy::route_counters route;
    proxy::query_clock queries(route);
    using clock = proxy::query_clock::clock;
    for (auto _ : state) {
        queries.cycle_sent(clock::now());
        queries.ready_for_query(protocol::transaction_status::idle, clock::now());
    }
    if (route.queries.value() != static_cast<std::uint64_t>(state.iterations())) {
        state.SkipWithError("a query cycle was not counted");
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_query_clock_cycle);

}  // namespace
}  // namespace pgroute::bench
