// pgroute's /metrics page: every metric family, named as Prometheus' conventions ask (base units,
// _total on counters), rendered from one admin snapshot. README's Metrics section lists them.
#pragma once

#include <string>

#include "proxy/admin/snapshot.h"
#include "proxy/config/config.h"

namespace pgroute::proxy {

[[nodiscard]] std::string render_metrics(const admin_snapshot& snapshot, const config& cfg);

}  // namespace pgroute::proxy
