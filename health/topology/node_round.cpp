#include "health/topology/node_round.h"

namespace pgroute::health {

std::string describe_failed_polls(const node_round& node) {
    return std::string(to_string(node.outcome)) + " (" + std::to_string(node.failed_polls) +
           (node.failed_polls == 1 ? " poll)" : " polls)");
}

bool is_running_state(std::string_view state) {
    return state == "running" || state == "streaming";
}

}  // namespace pgroute::health
