// What a reload (SIGHUP, POST /reload) may change in a running pgroute, decided from the running
// config and the new one alone. A reload keeps the worker threads, their listening sockets and
// their per-endpoint counters, so what those are made from stays as pgroute started with it.
#pragma once

#include <vector>

#include "proxy/config/config.h"
#include "proxy/config/yaml_reader.h"

namespace pgroute::proxy {

// The changes a reload cannot apply, one problem each (key and why); empty when it can apply
// them all. The running config keeps serving when any is found.
[[nodiscard]] std::vector<config_problem> reload_refusals(const config& running,
                                                          const config& next);

// Whether the new config needs another topology source: other nodes, or other Patroni
// settings (poll timing, rules, the API's TLS files or credentials).
[[nodiscard]] bool topology_source_changed(const config& running, const config& next);

}  // namespace pgroute::proxy
