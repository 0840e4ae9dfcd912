#include "health/topology/poll_duration.h"

#include <algorithm>

namespace pgroute::health {

void poll_durations::record(std::chrono::steady_clock::duration elapsed) {
    const double seconds = std::chrono::duration<double>(elapsed).count();
    const auto bucket =
        std::lower_bound(poll_duration_bounds.begin(), poll_duration_bounds.end(), seconds) -
        poll_duration_bounds.begin();
    ++buckets[static_cast<std::size_t>(bucket)];
    sum_seconds += seconds;
}

}  // namespace pgroute::health
