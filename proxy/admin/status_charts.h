// The status page's "last 15 minutes": four inline SVG charts (queries a second and p99 latency
// per endpoint, lag per replica, sessions per node) with the topology events marked on each.
#pragma once

#include <chrono>
#include <string>

#include "proxy/admin/status_history.h"
#include "proxy/config/config.h"

namespace pgroute::proxy {

// `now` is the right edge of every chart. `patroni` says whether lag can be known at all.
[[nodiscard]] std::string render_status_charts(const status_history& history, const config& cfg,
                                               std::chrono::system_clock::time_point now,
                                               bool patroni);

}  // namespace pgroute::proxy
