// pgroute's names of a node's role, in logs, metrics and the admin JSON.
#pragma once

#include <string_view>

#include "health/topology/snapshot.h"

namespace pgroute::health {

[[nodiscard]] std::string_view to_string(node_role role);

}  // namespace pgroute::health
