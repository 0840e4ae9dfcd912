// How long the health loop waits between rounds. While the cluster has no write target (a
// switchover or a failover is under way) it polls at the fast interval, HAProxy's `fastinter`, so
// that a new leader is routed to within a fraction of the usual interval; otherwise at the usual
// one.
#pragma once

#include <chrono>

#include "health/topology/snapshot.h"

namespace pgroute::health {

// `latest` is null before the first round. A fast interval longer than the usual one is not fast.
[[nodiscard]] std::chrono::milliseconds next_round_delay(const topology_snapshot* latest,
                                                         std::chrono::milliseconds interval,
                                                         std::chrono::milliseconds fast_interval);

}  // namespace pgroute::health
