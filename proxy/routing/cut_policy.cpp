#include "proxy/routing/cut_policy.h"

#include "health/topology/drains.h"

namespace pgroute::proxy {

namespace {

const health::node_view* find_node(const health::topology_snapshot& topology,
                                   std::string_view name) {
    for (const auto& node : topology.nodes) {
        if (node.address.name == name) return &node;
    }
    return nullptr;
}

std::string node_text(std::string_view name) {
    return "node \"" + std::string(name) + "\"";
}

std::optional<cut_order> decide_leader_cut(std::string_view node_name,
                                           const health::topology_snapshot& topology) {
    const auto* leader = topology.leader();
    if (!leader) {
        return cut_order{cut_reason::no_write_target, node_text(node_name) +
                                                          " is no longer the leader (no leader: " +
                                                          topology.no_write_target_reason + ")"};
    }
    if (leader->address.name != node_name) {
        return cut_order{cut_reason::leader_changed,
                         node_text(node_name) + " is no longer the leader (new leader: \"" +
                             leader->address.name + "\")"};
    }
    return std::nullopt;
}

std::optional<cut_order> decide_replica_cut(std::string_view node_name,
                                            const endpoint_config& endpoint,
                                            const health::topology_snapshot& topology) {
    const auto* node = find_node(topology, node_name);
    if (!node) {
        return cut_order{cut_reason::node_lost, node_text(node_name) + " left the cluster"};
    }
    if (!node->up) {
        return cut_order{cut_reason::node_lost,
                         node_text(node_name) + " is down: " + node->not_readable_reason};
    }
    const auto* leader = topology.leader();
    if (leader && leader->address.name == node_name) {
        if (!endpoint.cut_on_promote) return std::nullopt;
        return cut_order{
            cut_reason::node_promoted,
            node_text(node_name) + " was promoted to leader and no longer serves reads"};
    }
    if (!node->readable && endpoint.cut_lagging_when_idle) {
        return cut_order{cut_reason::replica_lagging,
                         node_text(node_name) + " left the read pool: " + node->not_readable_reason,
                         true};
    }
    return std::nullopt;
}

}  // namespace

std::string_view to_string(cut_reason reason) {
    switch (reason) {
        case cut_reason::leader_changed:
            return "leader_changed";
        case cut_reason::no_write_target:
            return "no_write_target";
        case cut_reason::node_promoted:
            return "node_promoted";
        case cut_reason::node_lost:
            return "node_lost";
        case cut_reason::replica_lagging:
            return "replica_lagging";
        case cut_reason::drained:
            return "drained";
        case cut_reason::shutdown:
            return "shutdown";
    }
    return "unknown";
}

std::optional<cut_order> decide_cut(session_role role, std::string_view node_name,
                                    const endpoint_config& endpoint,
                                    const health::topology_snapshot& topology) {
    // Before maintenance: the session goes once it is idle, not in the middle of its work.
    if (const auto* node = find_node(topology, node_name); node && node->drained) {
        return cut_order{cut_reason::drained,
                         node_text(node_name) + " is " + std::string(health::drained_reason), true};
    }
    if (role == session_role::leader) return decide_leader_cut(node_name, topology);
    return decide_replica_cut(node_name, endpoint, topology);
}

}  // namespace pgroute::proxy
