// What the topology rules know of a node: its role, state, WAL positions and tags, as one poll of
// its source (Patroni's GET /patroni today) reported them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "health/topology/snapshot.h"

namespace pgroute::health {

// Patroni's member tags, read the way Patroni reads them (Python truthiness).
struct node_tags {
    bool nofailover = false;
    bool noloadbalance = false;
    bool nosync = false;
};

struct node_status {
    node_role role = node_role::unknown;
    std::string state{};  // "running", "starting", "stopping", "stopped", ...
    std::optional<std::uint64_t> timeline{};
    std::optional<std::uint64_t> leader_location{};    // xlog.location: the leader's current WAL
    std::optional<std::uint64_t> received_location{};  // xlog.received_location (replicas)
    std::optional<std::uint64_t> replayed_location{};  // xlog.replayed_location (replicas)
    // The commit time of the last replayed transaction; null until a replica replays one.
    std::optional<std::chrono::system_clock::time_point> replayed_timestamp{};
    bool replay_paused = false;                      // xlog.paused
    std::optional<std::string> replication_state{};  // "streaming", ...; Patroni >= 3.0.4 only
    bool cluster_paused = false;                     // "pause": the cluster is in maintenance mode
    node_tags tags{};
};

}  // namespace pgroute::health
