// The /topology document: the current snapshot as JSON, each node with its role, state, lag,
// whether it takes reads (and why not) and its sessions. `pgroute status` prints it as a table.
#pragma once

#include <string>

#include "proxy/admin/snapshot.h"
#include "proxy/config/config.h"

namespace pgroute::proxy {

[[nodiscard]] std::string render_topology_json(const admin_snapshot& snapshot, const config& cfg);

}  // namespace pgroute::proxy
