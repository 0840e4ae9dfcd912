// Where topology snapshots come from: static roles, Patroni's REST API, later an etcd watch. The
// proxy runs one source through this interface and does not know which.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "health/topology/events.h"
#include "health/topology/poll_duration.h"
#include "health/topology/poll_outcome.h"
#include "health/topology/snapshot.h"

namespace pgroute::health {

using poll_counts = std::array<std::uint64_t, poll_outcome_count>;  // by poll_outcome

// One round as a source ends it: the snapshot, what changed since the last one, and how the
// polls behind it went (empty for a source that does not poll).
struct topology_update {
    topology_ptr topology;
    std::vector<topology_event> events;
    std::map<std::string, poll_counts> status_polls;  // per node name
    poll_counts cluster_polls{};                      // membership polls
    std::map<std::string, poll_durations> status_poll_durations;
    std::chrono::system_clock::time_point at;
};

class topology_source {
  public:
    // Called on the source's own thread after every round.
    using publish_fn = std::function<void(const topology_update&)>;

    topology_source() = default;
    topology_source(const topology_source&) = delete;
    topology_source& operator=(const topology_source&) = delete;
    virtual ~topology_source() = default;

    // "static" or "patroni", as the admin listener shows it.
    [[nodiscard]] virtual std::string_view mode() const = 0;
    // Whether it ever publishes a snapshot other than initial(): a session with no node to go
    // to may wait for one only then (static roles never change).
    [[nodiscard]] virtual bool changes() const = 0;
    // What to route by before the first round.
    [[nodiscard]] virtual topology_ptr initial() const = 0;
    // Starts publishing rounds; a source whose topology never changes publishes none.
    virtual void start(publish_fn publish) = 0;
    // Thread-safe; once it returns nothing more is published.
    virtual void stop() = 0;
};

}  // namespace pgroute::health
