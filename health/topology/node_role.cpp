#include "health/topology/node_role.h"

namespace pgroute::health {

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
