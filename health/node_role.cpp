#include "health/node_role.h"

namespace pgroute::health {

NodeRole parse_patroni_role(std::string_view role) {
    if (role == "master" || role == "primary") return NodeRole::leader;
    if (role == "replica") return NodeRole::replica;
    if (role == "standby_leader") return NodeRole::standby_leader;
    if (role == "demoted") return NodeRole::demoted;
    return NodeRole::unknown;
}

std::string_view to_string(NodeRole role) {
    switch (role) {
        case NodeRole::unknown:
            return "unknown";
        case NodeRole::leader:
            return "leader";
        case NodeRole::replica:
            return "replica";
        case NodeRole::standby_leader:
            return "standby_leader";
        case NodeRole::demoted:
            return "demoted";
    }
    return "unknown";
}

}  // namespace pgroute::health
