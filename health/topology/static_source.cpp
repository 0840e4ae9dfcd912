#include "health/topology/static_source.h"

namespace pgroute::health {

topology_ptr make_static_topology(const std::vector<static_node>& nodes) {
    auto topology = std::make_shared<topology_snapshot>();
    topology->generation = 1;
    for (const auto& node : nodes) {
        node_view view;
        view.address = node.address;
        view.role = node.role;
        view.state = "static";
        view.up = true;
        const auto index = topology->nodes.size();
        if (view.role == node_role::leader) {
            topology->write_target = index;
        } else if (view.role == node_role::replica) {
            view.readable = true;
            topology->readable.push_back(index);
        }
        topology->nodes.push_back(std::move(view));
    }
    if (!topology->write_target) topology->no_write_target_reason = "no node has role primary";
    return topology;
}

}  // namespace pgroute::health
