#include "proxy/routing/router.h"

#include <string_view>

namespace pgroute::proxy {

namespace {

// `why_needed` is a view so that routing to a leader allocates nothing.
route_decision leader_or_refusal(const health::topology_snapshot& topology,
                                 std::string_view why_needed) {
    if (topology.write_target) return {topology.write_target, {}};
    std::string refusal(why_needed);
    if (!topology.no_write_target_reason.empty()) refusal += ": " + topology.no_write_target_reason;
    return {std::nullopt, std::move(refusal)};
}

std::size_t least_loaded(const health::topology_snapshot& topology, std::uint64_t ticket,
                         std::span<const std::uint32_t> sessions_per_node) {
    const auto& readable = topology.readable;
    // Start the scan at the round-robin position so ties rotate instead of piling on the first.
    std::size_t best = readable[ticket % readable.size()];
    for (std::size_t i = 0; i < readable.size(); ++i) {
        const auto candidate = readable[(ticket + i) % readable.size()];
        const auto load = [&](std::size_t n) {
            return n < sessions_per_node.size() ? sessions_per_node[n] : 0u;
        };
        if (load(candidate) < load(best)) best = candidate;
    }
    return best;
}

}  // namespace

route_decision pick_node(const health::topology_snapshot& topology, const endpoint_config& endpoint,
                         std::uint64_t ticket, std::span<const std::uint32_t> sessions_per_node) {
    if (endpoint.route == route_kind::leader) {
        return leader_or_refusal(topology, "no leader is available");
    }
    if (topology.readable.empty()) {
        if (endpoint.fallback_to_leader) {
            return leader_or_refusal(topology, "no replica is readable and no leader is available");
        }
        return {std::nullopt, "no replica is readable within the configured lag bound"};
    }
    if (endpoint.balance == balance_kind::least_connections) {
        return {least_loaded(topology, ticket, sessions_per_node), {}};
    }
    return {topology.readable[ticket % topology.readable.size()], {}};
}

}  // namespace pgroute::proxy
