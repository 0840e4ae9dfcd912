#include "health/patroni/poll_pace.h"

#include <algorithm>

namespace pgroute::health {

std::chrono::milliseconds next_round_delay(const topology_snapshot* latest,
                                           std::chrono::milliseconds interval,
                                           std::chrono::milliseconds fast_interval) {
    const bool settled = latest != nullptr && latest->write_target.has_value();
    return settled ? interval : std::min(interval, fast_interval);
}

}  // namespace pgroute::health
