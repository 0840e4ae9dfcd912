// What changed between two consecutive topology snapshots: the facts the proxy acts on (cutting
// sessions whose node lost its role) and logs.
#pragma once

#include <string>
#include <vector>

#include "health/topology/snapshot.h"

namespace pgroute::health {

enum class topology_event_kind {
    write_target_changed,  // sessions on the previous write target must go
    left_read_pool,        // read sessions on `node` must go
    joined_read_pool,
};

struct topology_event {
    topology_event_kind kind = topology_event_kind::write_target_changed;
    std::string node{};                   // the node concerned; for write_target_changed the new
                                          // write target, empty for none
    std::string previous_write_target{};  // write_target_changed only; empty for none
    std::string reason{};

    bool operator==(const topology_event&) const = default;
};

// Events in a stable order: the write target first, then pool departures, then arrivals.
[[nodiscard]] std::vector<topology_event> diff_topologies(const topology_snapshot& before,
                                                          const topology_snapshot& after);

// One log line, e.g. "write target pg1 -> none: no running leader (pg1: state stopping)".
[[nodiscard]] std::string describe(const topology_event& event);

}  // namespace pgroute::health
