// The names of a node's role: Patroni's spellings in, pgroute's spellings out (logs, admin JSON).
#pragma once

#include <string_view>

#include "health/topology.h"

namespace pgroute::health {

// Maps the role of GET /patroni: "master" (Patroni < 4) and "primary" (Patroni 4) are the leader;
// roles pgroute does not route by ("uninitialized", future names) are unknown.
[[nodiscard]] NodeRole parse_patroni_role(std::string_view role);

[[nodiscard]] std::string_view to_string(NodeRole role);

}  // namespace pgroute::health
