// What a node's Patroni says about itself in GET /patroni, and the pure parser of that answer.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "health/poll_outcome.h"
#include "health/topology.h"

namespace pgroute::health {

// Patroni's member tags, read the way Patroni reads them (Python truthiness).
struct NodeTags {
    bool nofailover = false;
    bool noloadbalance = false;
    bool nosync = false;
};

struct NodeStatus {
    NodeRole role = NodeRole::unknown;
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
    NodeTags tags{};
};

struct StatusParse {
    PollOutcome outcome = PollOutcome::ok;  // ok, malformed_json or unexpected_fields
    NodeStatus status{};                    // meaningful when outcome is ok
    std::string error{};                    // what was wrong, when outcome is not ok
};

// Never throws and never crashes, whatever the bytes; unknown fields are ignored.
[[nodiscard]] StatusParse parse_patroni_status(std::string_view json);

}  // namespace pgroute::health
