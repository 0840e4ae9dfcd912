// Building the ErrorResponse pgroute sends on its own, e.g. to every session it cuts when a
// leader steps down: the cost of a mass cut is this times the number of sessions.
#include <benchmark/benchmark.h>

#include "protocol/error_response.h"
#include "protocol/sqlstate.h"

namespace pgroute::bench {
namespace {

void BM_build_error_response(benchmark::State& state) {
    const protocol::error_fields fields{
        protocol::severity::fatal, protocol::sqlstate::admin_shutdown,
        "terminating connection because node pg2 is no longer the leader",
        "the cluster switched over to pg1", "reconnect to reach the new leader"};
    for (auto _ : state) {
        auto frame = protocol::build_error_response(fields);
        benchmark::DoNotOptimize(frame);
    }
}
BENCHMARK(BM_build_error_response);

}  // namespace
}  // namespace pgroute::bench
