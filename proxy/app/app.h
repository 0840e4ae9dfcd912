// The running proxy: worker threads, the topology source (static or Patroni), the admin
// listener, reloads and signal handling, from start-up to a clean stop.
#pragma once

#include <memory>
#include <string>

#include "proxy/config/config.h"
#include "proxy/log/logger.h"

namespace pgroute::proxy {

// Runs until SIGINT/SIGTERM; SIGHUP reloads `config_path`. Returns the process exit code.
[[nodiscard]] int run_proxy(const std::shared_ptr<const config>& cfg,
                            const std::string& config_path, const logger& log);

}  // namespace pgroute::proxy
