#include "health/topology/events.h"

#include <algorithm>

namespace pgroute::health {
namespace {

std::string write_target_name(const topology_snapshot& topology) {
    const node_view* leader = topology.leader();
    return leader ? leader->address.name : std::string{};
}

const node_view* find_node(const topology_snapshot& topology, const std::string& name) {
    const auto it = std::find_if(topology.nodes.begin(), topology.nodes.end(),
                                 [&](const node_view& node) { return node.address.name == name; });
    return it == topology.nodes.end() ? nullptr : &*it;
}

bool is_readable(const topology_snapshot& topology, const std::string& name) {
    const node_view* node = find_node(topology, name);
    return node != nullptr && node->readable;
}

}  // namespace

std::vector<topology_event> diff_topologies(const topology_snapshot& before,
                                            const topology_snapshot& after) {
    std::vector<topology_event> events;
    const std::string old_target = write_target_name(before);
    const std::string new_target = write_target_name(after);
    if (old_target != new_target) {
        events.push_back({
            .kind = topology_event_kind::write_target_changed,
            .node = new_target,
            .previous_write_target = old_target,
            .reason = new_target.empty() ? after.no_write_target_reason
                                         : new_target + " is the running leader",
        });
    }
    for (const std::size_t i : before.readable) {
        const std::string& name = before.nodes[i].address.name;
        if (is_readable(after, name)) continue;
        const node_view* now = find_node(after, name);
        events.push_back({
            .kind = topology_event_kind::left_read_pool,
            .node = name,
            .reason = now ? now->not_readable_reason : "no longer a cluster member",
        });
    }
    for (const std::size_t i : after.readable) {
        const std::string& name = after.nodes[i].address.name;
        if (is_readable(before, name)) continue;
        events.push_back({.kind = topology_event_kind::joined_read_pool, .node = name});
    }
    return events;
}

std::string describe(const topology_event& event) {
    const auto or_none = [](const std::string& name) { return name.empty() ? "none" : name; };
    switch (event.kind) {
        case topology_event_kind::write_target_changed:
            return "write target " + or_none(event.previous_write_target) + " -> " +
                   or_none(event.node) + ": " + event.reason;
        case topology_event_kind::left_read_pool:
            return event.node + " left the read pool: " + event.reason;
        case topology_event_kind::joined_read_pool:
            return event.node + " joined the read pool";
    }
    return {};
}

}  // namespace pgroute::health
