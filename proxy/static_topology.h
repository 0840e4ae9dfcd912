// The topology when no Patroni section is configured: roles come from the config and never
// change, so one snapshot serves the whole life of the process.
#pragma once

#include <vector>

#include "health/topology.h"
#include "proxy/config.h"

namespace pgroute::proxy {

[[nodiscard]] health::TopologyPtr make_static_topology(const std::vector<node_config>& nodes);

}  // namespace pgroute::proxy
