// The running proxy: worker threads, the topology source (static or Patroni), the admin
// listener, reloads and signal handling, from start-up to a clean stop.
#pragma once

#include <memory>
#include <string>

#include "proxy/app/upgrade_spawn.h"
#include "proxy/config/config.h"
#include "proxy/log/logger.h"

namespace pgroute::proxy {

// Runs until SIGINT/SIGTERM, or until an upgrade (SIGUSR2) has handed the listening sockets to
// the binary started again from `image` and the sessions left have ended; SIGHUP reloads the
// config file. Returns the process exit code.
[[nodiscard]] int run_proxy(const std::shared_ptr<const config>& cfg, const process_image& image,
                            const logger& log);

}  // namespace pgroute::proxy
