#include "proxy/admin/history_sample.h"

#include <numeric>

namespace pgroute::proxy {

namespace {

std::uint64_t topology_cuts(const route_totals& route) {
    // A shutdown cut is pgroute stopping, not the cluster changing: no marker for it.
    const auto shutdown = static_cast<std::size_t>(cut_reason::shutdown);
    std::uint64_t cuts = 0;
    for (std::size_t reason = 0; reason < route.cuts.size(); ++reason) {
        if (reason != shutdown) cuts += route.cuts[reason];
    }
    return cuts;
}

}  // namespace

history_sample take_history_sample(const admin_snapshot& snapshot) {
    history_sample sample;
    sample.at = snapshot.taken_at;
    sample.endpoints.resize(snapshot.totals.endpoints.size());
    for (const auto& [node, routes] : snapshot.totals.routes) {
        for (std::size_t e = 0; e < routes.size() && e < sample.endpoints.size(); ++e) {
            auto& endpoint = sample.endpoints[e];
            endpoint.queries += routes[e].queries;
            for (std::size_t b = 0; b < endpoint.query_durations.size(); ++b)
                endpoint.query_durations[b] += routes[e].query_duration_buckets[b];
            sample.cuts += topology_cuts(routes[e]);
        }
    }
    for (const auto& endpoint : snapshot.totals.endpoints)
        sample.moves +=
            std::accumulate(endpoint.moves.begin(), endpoint.moves.end(), std::uint64_t{0});
    const auto& topology = *snapshot.health.topology;
    for (const auto& node : topology.nodes) {
        sample.nodes.push_back({node.address.name,
                                sessions_on_node(snapshot.totals, node.address.name),
                                node.lag_bytes});
    }
    if (const auto* leader = topology.leader()) sample.leader = leader->address.name;
    sample.leader_changes = snapshot.health.leader_changes;
    sample.last_leader_change_at = snapshot.health.last_leader_change_at;
    return sample;
}

}  // namespace pgroute::proxy
