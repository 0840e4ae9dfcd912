// What the status page's charts remember of one moment: the cumulative counters the admin side
// already sums for /metrics, and the gauges of the topology, copied out of a snapshot.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proxy/admin/snapshot.h"
#include "proxy/metrics/counters.h"

namespace pgroute::proxy {

struct endpoint_sample {
    std::uint64_t queries = 0;  // over every node
    std::array<std::uint64_t, query_duration_bucket_count>
        query_durations{};  // per bucket, as counted
};

struct node_sample {
    std::string name;
    std::uint64_t sessions = 0;              // open now, over every endpoint
    std::optional<std::uint64_t> lag_bytes;  // replicas only, when the poll reported it
};

struct history_sample {
    std::chrono::system_clock::time_point at;
    std::vector<endpoint_sample> endpoints;  // by endpoint index
    std::vector<node_sample> nodes;          // in the topology's order
    std::string leader;                      // the write target; empty when there is none
    // Totals since start: a rise between two samples is an event to mark.
    std::uint64_t leader_changes = 0;
    std::chrono::system_clock::time_point last_leader_change_at{};  // when the last one was seen
    std::uint64_t cuts = 0;  // sessions cut for a topology reason (not pgroute's own shutdown)
    std::uint64_t moves = 0;
};

[[nodiscard]] history_sample take_history_sample(const admin_snapshot& snapshot);

}  // namespace pgroute::proxy
