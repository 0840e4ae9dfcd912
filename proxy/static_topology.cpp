#include "proxy/static_topology.h"

namespace pgroute::proxy {

health::TopologyPtr make_static_topology(const std::vector<node_config>& nodes) {
    auto topology = std::make_shared<health::Topology>();
    topology->generation = 1;
    for (const auto& node : nodes) {
        health::NodeView view;
        view.address = node.address;
        view.role = node.static_role.value_or(health::NodeRole::unknown);
        view.state = "static";
        view.up = true;
        const auto index = topology->nodes.size();
        if (view.role == health::NodeRole::leader) {
            topology->write_target = index;
        } else if (view.role == health::NodeRole::replica) {
            view.readable = true;
            topology->readable.push_back(index);
        }
        topology->nodes.push_back(std::move(view));
    }
    if (!topology->write_target) topology->no_write_target_reason = "no node has role primary";
    return topology;
}

}  // namespace pgroute::proxy
