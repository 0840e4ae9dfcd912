#include "proxy/admin/chart_series.h"

#include <algorithm>
#include <functional>
#include <optional>

#include "proxy/metrics/histogram_quantile.h"

namespace pgroute::proxy {

namespace {

using sample_ring = bounded_ring<history_sample>;

// What one endpoint did between two samples; none when the samples do not both have it or no
// time passed between them.
using interval_value = std::function<std::optional<double>(
    const endpoint_sample& before, const endpoint_sample& after, double seconds)>;

std::vector<chart_line> per_endpoint(const sample_ring& samples,
                                     const std::vector<std::string>& names,
                                     const interval_value& value) {
    std::vector<chart_line> lines;
    for (std::size_t e = 0; e < names.size(); ++e) {
        chart_line line{names[e], {}};
        for (std::size_t i = 1; i < samples.size(); ++i) {
            const auto& before = samples[i - 1];
            const auto& after = samples[i];
            const double seconds = std::chrono::duration<double>(after.at - before.at).count();
            std::optional<double> point;
            if (seconds > 0 && e < before.endpoints.size() && e < after.endpoints.size())
                point = value(before.endpoints[e], after.endpoints[e], seconds);
            line.points.push_back({after.at, point});
        }
        lines.push_back(std::move(line));
    }
    return lines;
}

const node_sample* find_node(const history_sample& sample, const std::string& name) {
    const auto found = std::find_if(sample.nodes.begin(), sample.nodes.end(),
                                    [&](const node_sample& node) { return node.name == name; });
    return found == sample.nodes.end() ? nullptr : &*found;
}

// Every node the history saw, in the order it first appeared: one that left keeps its line
// for as long as its samples are in the window.
std::vector<std::string> node_names(const sample_ring& samples) {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        for (const auto& node : samples[i].nodes) {
            if (std::find(names.begin(), names.end(), node.name) == names.end())
                names.push_back(node.name);
        }
    }
    return names;
}

using node_value = std::function<std::optional<double>(const node_sample& node)>;

std::vector<chart_line> per_node(const sample_ring& samples, const std::vector<std::string>& names,
                                 const node_value& value) {
    std::vector<chart_line> lines;
    for (const auto& name : names) {
        chart_line line{name, {}};
        for (std::size_t i = 0; i < samples.size(); ++i) {
            const auto* node = find_node(samples[i], name);
            line.points.push_back({samples[i].at, node ? value(*node) : std::nullopt});
        }
        lines.push_back(std::move(line));
    }
    return lines;
}

std::string marker_text(const history_event& event) {
    auto count = std::to_string(event.count);
    switch (event.kind) {
        case history_event_kind::leader_change:
            return event.leader.empty() ? "leader changed" : "leader changed to " + event.leader;
        case history_event_kind::cut:
            return count + (event.count == 1 ? " session cut" : " sessions cut");
        case history_event_kind::move:
            return count + (event.count == 1 ? " session moved" : " sessions moved");
    }
    return count;
}

chart_marker_kind marker_kind(history_event_kind kind) {
    switch (kind) {
        case history_event_kind::leader_change:
            return chart_marker_kind::leader_change;
        case history_event_kind::cut:
            return chart_marker_kind::cut;
        case history_event_kind::move:
            return chart_marker_kind::move;
    }
    return chart_marker_kind::cut;
}

}  // namespace

std::vector<chart_line> queries_per_second(const status_history& history,
                                           const std::vector<std::string>& endpoint_names) {
    return per_endpoint(history.samples(), endpoint_names,
                        [](const endpoint_sample& before, const endpoint_sample& after,
                           double seconds) -> std::optional<double> {
                            if (after.queries < before.queries) return std::nullopt;
                            return static_cast<double>(after.queries - before.queries) / seconds;
                        });
}

std::vector<chart_line> p99_latency(const status_history& history,
                                    const std::vector<std::string>& endpoint_names) {
    return per_endpoint(history.samples(), endpoint_names,
                        [](const endpoint_sample& before, const endpoint_sample& after, double) {
                            std::array<std::uint64_t, query_duration_bucket_count> ended{};
                            for (std::size_t b = 0; b < ended.size(); ++b) {
                                const auto now = after.query_durations[b];
                                const auto then = before.query_durations[b];
                                ended[b] = now > then ? now - then : 0;
                            }
                            return histogram_quantile(0.99, ended, query_duration_bounds);
                        });
}

std::vector<chart_line> replica_lag(const status_history& history) {
    const auto& samples = history.samples();
    std::vector<std::string> reporting;
    for (const auto& name : node_names(samples)) {
        for (std::size_t i = 0; i < samples.size(); ++i) {
            const auto* node = find_node(samples[i], name);
            if (node && node->lag_bytes) {
                reporting.push_back(name);
                break;
            }
        }
    }
    return per_node(samples, reporting, [](const node_sample& node) -> std::optional<double> {
        if (!node.lag_bytes) return std::nullopt;
        return static_cast<double>(*node.lag_bytes);
    });
}

std::vector<chart_line> sessions_per_node(const status_history& history) {
    return per_node(history.samples(), node_names(history.samples()),
                    [](const node_sample& node) -> std::optional<double> {
                        return static_cast<double>(node.sessions);
                    });
}

std::vector<chart_marker> topology_markers(const status_history& history) {
    std::vector<chart_marker> markers;
    const auto& events = history.events();
    for (std::size_t i = 0; i < events.size(); ++i)
        markers.push_back({events[i].at, marker_kind(events[i].kind), marker_text(events[i])});
    return markers;
}

}  // namespace pgroute::proxy
