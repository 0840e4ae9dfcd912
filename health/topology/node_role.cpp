#include "health/topology/node_role.h"

namespace pgroute::health {

std::string_view to_string(node_role role) {
    switch (role) {
        case node_role::unknown:
            return "unknown";
        case node_role::leader:
            return "leader";
        case node_role::replica:
            return "replica";
        case node_role::standby_leader:
            return "standby_leader";
        case node_role::demoted:
            return "demoted";
    }
    return "unknown";
}

}  // namespace pgroute::health
