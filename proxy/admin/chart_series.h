// The status page's charts as lines: rates and p99s from the difference between consecutive
// samples, gauges as they were sampled, and the history's events as markers. Pure.
#pragma once

#include <string>
#include <vector>

#include "proxy/admin/status_history.h"
#include "proxy/admin/svg_chart.h"

namespace pgroute::proxy {

// A line per endpoint (named by `endpoint_names`, by index): queries a second between samples.
[[nodiscard]] std::vector<chart_line> queries_per_second(
    const status_history& history, const std::vector<std::string>& endpoint_names);

// A line per endpoint: the 99th percentile of the queries that ended between samples; a gap
// where none did.
[[nodiscard]] std::vector<chart_line> p99_latency(const status_history& history,
                                                  const std::vector<std::string>& endpoint_names);

// A line per node that reported a replay lag in the history, in bytes.
[[nodiscard]] std::vector<chart_line> replica_lag(const status_history& history);

// A line per node: its open sessions.
[[nodiscard]] std::vector<chart_line> sessions_per_node(const status_history& history);

[[nodiscard]] std::vector<chart_marker> topology_markers(const status_history& history);

}  // namespace pgroute::proxy
