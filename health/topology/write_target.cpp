#include "health/topology/write_target.h"

#include <vector>

namespace pgroute::health {
namespace {

bool claims_running_leader(const node_round& node) {
    return node.status != nullptr && node.status->role == node_role::leader &&
           node.status->state == "running";
}

// Why a node that was or still says it is the leader cannot take writes; empty for other nodes.
std::string why_leader_unusable(const node_round& node) {
    if (node.status != nullptr) {
        if (node.status->role != node_role::leader) return {};
        return std::string(node.name) + ": state " + node.status->state;
    }
    if (node.last_known != nullptr && node.last_known->role == node_role::leader) {
        return std::string(node.name) + ": " + describe_failed_polls(node);
    }
    return {};
}

std::string join_names(std::span<const node_round> nodes, const std::vector<std::size_t>& picked) {
    std::string names;
    for (const std::size_t i : picked) {
        if (!names.empty()) names += ", ";
        names += nodes[i].name;
    }
    return names;
}

}  // namespace

write_target_choice choose_write_target(std::span<const node_round> nodes) {
    std::vector<std::size_t> claimants;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        if (claims_running_leader(nodes[i])) claimants.push_back(i);
    }
    if (claimants.size() == 1) return {.index = claimants.front()};
    if (claimants.size() > 1) {
        const std::string count = claimants.size() == 2 ? "two" : std::to_string(claimants.size());
        return {.reason = count + " nodes claim the leader role: " + join_names(nodes, claimants)};
    }

    std::string details;
    for (const node_round& node : nodes) {
        const std::string why = why_leader_unusable(node);
        if (why.empty()) continue;
        details += details.empty() ? " (" : "; ";
        details += why;
    }
    if (!details.empty()) details += ")";
    return {.reason = "no running leader" + details};
}

}  // namespace pgroute::health
