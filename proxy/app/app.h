// The running proxy: worker threads, the topology source (static or Patroni) and signal
// handling, from start-up to a clean stop.
#pragma once

#include "proxy/config/config.h"
#include "proxy/log/logger.h"

namespace pgroute::proxy {

// Runs until SIGINT/SIGTERM; returns the process exit code.
[[nodiscard]] int run_proxy(const config& cfg, const logger& log);

}  // namespace pgroute::proxy
