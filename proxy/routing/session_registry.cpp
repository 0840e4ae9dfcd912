#include "proxy/routing/session_registry.h"

namespace pgroute::proxy {

void session_control::order_cut(cut_order order) {
    cut = std::move(order);
    if (statement_kept) cut->when_idle = true;
    if (!cut_due()) return;
    if (relay) return relay->interrupt();
    // The client socket too: a server-to-client write stuck on a client that does not read
    // would otherwise hold the session past the cut.
    std::error_code ignored;
    if (server) server->cancel(ignored);
    if (client) client->cancel(ignored);
}

std::vector<std::uint32_t> session_registry::count_per_node(
    const health::topology_snapshot& topology) const {
    std::vector<std::uint32_t> counts(topology.nodes.size(), 0);
    for (const auto& s : sessions_) {
        if (s.hold != nullptr) continue;  // its node connection is closed
        for (std::size_t i = 0; i < topology.nodes.size(); ++i) {
            if (topology.nodes[i].address.name == s.node_name) ++counts[i];
        }
    }
    return counts;
}

}  // namespace pgroute::proxy
