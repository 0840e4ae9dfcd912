// What a reload (SIGHUP, POST /reload) can change in the running pgroute, decided from the
// running config and the new one alone. A reload in place keeps the worker threads, their
// listening sockets and their per-endpoint counters; a config that changes what those are made
// of is applied by a new process instead, as a binary upgrade is.
#pragma once

#include <vector>

#include "proxy/config/config.h"
#include "proxy/config/yaml_reader.h"

namespace pgroute::proxy {

// The changes only a new process can apply, one each (key and what changed); empty when the
// running process can apply them all.
[[nodiscard]] std::vector<config_problem> new_process_changes(const config& running,
                                                              const config& next);

// Whether the new config needs another topology source: other nodes, or other Patroni
// settings (poll timing, rules, the API's TLS files or credentials).
[[nodiscard]] bool topology_source_changed(const config& running, const config& next);

}  // namespace pgroute::proxy
