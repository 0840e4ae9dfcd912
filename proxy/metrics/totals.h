// The workers' counters summed at scrape time, per endpoint and per (node, endpoint): the one
// place that reads counters another thread writes.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "proxy/metrics/counters.h"

namespace pgroute::proxy {

using endpoint_totals = endpoint_values<std::uint64_t>;
using route_totals = route_values<std::uint64_t>;

struct metrics_totals {
    std::vector<endpoint_totals> endpoints;                   // by endpoint index
    std::map<std::string, std::vector<route_totals>> routes;  // node name -> by endpoint index
};

[[nodiscard]] metrics_totals sum_worker_metrics(std::span<const worker_metrics* const> workers,
                                                std::size_t endpoint_count);

// Counters read at slightly different moments may be a bump apart: never below zero.
[[nodiscard]] inline std::uint64_t open_count(std::uint64_t opened, std::uint64_t closed) {
    return opened > closed ? opened - closed : 0;
}

// Sessions on `node` now, over every endpoint; 0 for a node nobody was routed to yet.
[[nodiscard]] std::uint64_t sessions_on_node(const metrics_totals& totals, const std::string& node);

}  // namespace pgroute::proxy
