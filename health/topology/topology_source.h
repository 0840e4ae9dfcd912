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

using PollCounts = std::array<std::uint64_t, poll_outcome_count>;  // by PollOutcome

// One round as a source ends it: the snapshot, what changed since the last one, and how the
// polls behind it went (empty for a source that does not poll).
struct TopologyUpdate {
    TopologyPtr topology;
    std::vector<TopologyEvent> events;
    std::map<std::string, PollCounts> status_polls;  // per node name
    PollCounts cluster_polls{};                      // membership polls
    std::map<std::string, PollDurations> status_poll_durations;
    std::chrono::system_clock::time_point at;
};

class TopologySource {
  public:
    // Called on the source's own thread after every round.
    using PublishFn = std::function<void(const TopologyUpdate&)>;

    TopologySource() = default;
    TopologySource(const TopologySource&) = delete;
    TopologySource& operator=(const TopologySource&) = delete;
    virtual ~TopologySource() = default;

    // "static" or "patroni", as the admin listener shows it.
    [[nodiscard]] virtual std::string_view mode() const = 0;
    // What to route by before the first round.
    [[nodiscard]] virtual TopologyPtr initial() const = 0;
    // Starts publishing rounds; a source whose topology never changes publishes none.
    virtual void start(PublishFn publish) = 0;
    // Thread-safe; once it returns nothing more is published.
    virtual void stop() = 0;
};

}  // namespace pgroute::health
