#include "health/topology/drains.h"

#include <algorithm>

namespace pgroute::health {

topology_snapshot with_drains(topology_snapshot reported,
                              const std::set<std::string, std::less<>>& drained) {
    for (std::size_t i = 0; i < reported.nodes.size(); ++i) {
        auto& node = reported.nodes[i];
        if (!drained.contains(node.address.name)) continue;
        node.drained = true;
        node.readable = false;
        node.not_readable_reason = std::string(drained_reason);
        std::erase(reported.readable, i);
        if (reported.write_target == i) {
            reported.write_target.reset();
            reported.no_write_target_reason =
                "the leader \"" + node.address.name + "\" is " + std::string(drained_reason);
        }
    }
    return reported;
}

}  // namespace pgroute::health
