#include "proxy/metrics/counters.h"

#include <algorithm>

namespace pgroute::proxy {

namespace {

constexpr std::array<std::uint64_t, query_duration_bounds.size()> bounds_in_nanoseconds() {
    std::array<std::uint64_t, query_duration_bounds.size()> out{};
    for (std::size_t i = 0; i < out.size(); ++i) {
        // The bounds are positive, and std::llround is not constexpr.
        // NOLINTNEXTLINE(bugprone-incorrect-roundings)
        out[i] = static_cast<std::uint64_t>(query_duration_bounds[i] * 1e9 + 0.5);
    }
    return out;
}

constexpr auto query_duration_bounds_ns = bounds_in_nanoseconds();

}  // namespace

std::string_view to_string(move_reason reason) {
    switch (reason) {
        case move_reason::leader_changed:
            return "leader_changed";
        case move_reason::no_write_target:
            return "no_write_target";
        case move_reason::node_promoted:
            return "node_promoted";
        case move_reason::node_lost:
            return "node_lost";
        case move_reason::replica_lagging:
            return "replica_lagging";
        case move_reason::drained:
            return "drained";
        case move_reason::node_shutdown:
            return "node_shutdown";
    }
    return "unknown";
}

std::string_view to_string(session_rejection rejection) {
    switch (rejection) {
        case session_rejection::too_many_clients:
            return "too_many_clients";
        case session_rejection::startup_error:
            return "startup_error";
        case session_rejection::startup_abandoned:
            return "startup_abandoned";
        case session_rejection::no_node:
            return "no_node";
        case session_rejection::auth_failed:
            return "auth_failed";
        case session_rejection::node_unreachable:
            return "node_unreachable";
    }
    return "unknown";
}

std::string_view to_string(cancel_outcome outcome) {
    switch (outcome) {
        case cancel_outcome::forwarded:
            return "forwarded";
        case cancel_outcome::unknown_key:
            return "unknown_key";
        case cancel_outcome::node_unreachable:
            return "node_unreachable";
        case cancel_outcome::sent_to_peer:
            return "sent_to_peer";
        case cancel_outcome::sent_to_old_process:
            return "sent_to_old_process";
        case cancel_outcome::peer_unreachable:
            return "peer_unreachable";
    }
    return "unknown";
}

void observe_query_duration(route_counters& route, std::chrono::nanoseconds duration) {
    const auto ns = static_cast<std::uint64_t>(std::max<std::int64_t>(duration.count(), 0));
    // A bucket's bound is inclusive (le): the first bound not below the duration.
    const auto bucket =
        std::lower_bound(query_duration_bounds_ns.begin(), query_duration_bounds_ns.end(), ns) -
        query_duration_bounds_ns.begin();
    route.query_duration_buckets[static_cast<std::size_t>(bucket)].add();
    route.query_duration_nanoseconds.add(ns);
}

worker_metrics::worker_metrics(std::size_t endpoint_count)
    : endpoint_count_(endpoint_count),
      endpoints_(std::make_unique<endpoint_counters[]>(endpoint_count)) {}

route_counters& worker_metrics::route(std::size_t endpoint_index, const std::string& node) {
    if (const auto found = by_name_.find(node); found != by_name_.end()) {
        return found->second->routes[endpoint_index];
    }
    const std::lock_guard guard(nodes_lock_);
    auto& added =
        nodes_.emplace_back(node_routes{node, std::make_unique<route_counters[]>(endpoint_count_)});
    by_name_.emplace(node, &added);
    return added.routes[endpoint_index];
}

}  // namespace pgroute::proxy
