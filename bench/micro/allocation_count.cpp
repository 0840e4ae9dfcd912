#include "allocation_count.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace pgroute::bench {

namespace {

std::atomic<std::uint64_t> allocations{0};

void* allocate(std::size_t size) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
    throw std::bad_alloc();
}

}  // namespace

std::uint64_t allocations_so_far() {
    return allocations.load(std::memory_order_relaxed);
}

void report_allocations(benchmark::State& state, std::uint64_t before) {
    state.counters["allocs"] = benchmark::Counter(
        static_cast<double>(allocations_so_far() - before), benchmark::Counter::kAvgIterations);
}

}  // namespace pgroute::bench

// The replaceable global forms; the array and nothrow forms of libstdc++ call these.
void* operator new(std::size_t size) {
    return pgroute::bench::allocate(size);
}
void operator delete(void* memory) noexcept {
    std::free(memory);
}
void operator delete(void* memory, std::size_t) noexcept {
    std::free(memory);
}
