// How long GET /patroni took per node, as a histogram: a slow REST API is the early sign of a
// node in trouble (Patroni's API blocks while PostgreSQL restarts), before polls start timing out.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace pgroute::health {

// Upper bounds in seconds; a last bucket (+Inf) follows. The poll timeout defaults to 1 s.
inline constexpr std::array<double, 12> poll_duration_bounds{
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

struct poll_durations {
    std::array<std::uint64_t, poll_duration_bounds.size() + 1> buckets{};  // not cumulative
    double sum_seconds = 0;

    void record(std::chrono::steady_clock::duration elapsed);
};

}  // namespace pgroute::health
