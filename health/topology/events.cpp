#include "health/topology/events.h"

#include <algorithm>

namespace pgroute::health {
namespace {

std::string write_target_name(const Topology& topology) {
    const NodeView* leader = topology.leader();
    return leader ? leader->address.name : std::string{};
}

const NodeView* find_node(const Topology& topology, const std::string& name) {
    const auto it = std::find_if(topology.nodes.begin(), topology.nodes.end(),
                                 [&](const NodeView& node) { return node.address.name == name; });
    return it == topology.nodes.end() ? nullptr : &*it;
}

bool is_readable(const Topology& topology, const std::string& name) {
    const NodeView* node = find_node(topology, name);
    return node != nullptr && node->readable;
}

}  // namespace

std::vector<TopologyEvent> diff_topologies(const Topology& before, const Topology& after) {
    std::vector<TopologyEvent> events;
    const std::string old_target = write_target_name(before);
    const std::string new_target = write_target_name(after);
    if (old_target != new_target) {
        events.push_back({
            .kind = TopologyEventKind::write_target_changed,
            .node = new_target,
            .previous_write_target = old_target,
            .reason = new_target.empty() ? after.no_write_target_reason
                                         : new_target + " is the running leader",
        });
    }
    for (const std::size_t i : before.readable) {
        const std::string& name = before.nodes[i].address.name;
        if (is_readable(after, name)) continue;
        const NodeView* now = find_node(after, name);
        events.push_back({
            .kind = TopologyEventKind::left_read_pool,
            .node = name,
            .reason = now ? now->not_readable_reason : "no longer a cluster member",
        });
    }
    for (const std::size_t i : after.readable) {
        const std::string& name = after.nodes[i].address.name;
        if (is_readable(before, name)) continue;
        events.push_back({.kind = TopologyEventKind::joined_read_pool, .node = name});
    }
    return events;
}

std::string describe(const TopologyEvent& event) {
    const auto or_none = [](const std::string& name) { return name.empty() ? "none" : name; };
    switch (event.kind) {
        case TopologyEventKind::write_target_changed:
            return "write target " + or_none(event.previous_write_target) + " -> " +
                   or_none(event.node) + ": " + event.reason;
        case TopologyEventKind::left_read_pool:
            return event.node + " left the read pool: " + event.reason;
        case TopologyEventKind::joined_read_pool:
            return event.node + " joined the read pool";
    }
    return {};
}

}  // namespace pgroute::health
