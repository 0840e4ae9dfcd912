// Counts the heap allocations this benchmark binary makes through operator new, so a benchmark can
// report what one iteration allocates: nothing, on the data path.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>

namespace pgroute::bench {

[[nodiscard]] std::uint64_t allocations_so_far();

// Reports allocations per iteration since `before` (allocations_so_far() ahead of the loop).
void report_allocations(benchmark::State& state, std::uint64_t before);

}  // namespace pgroute::bench
