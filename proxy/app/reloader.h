// A reload, as SIGHUP and POST /reload ask for it: the config file read and checked again and
// served to new sessions while running ones keep the generation they started with. A config
// that changes what the process is built around (its listeners, threads, ...) is left to a new
// process, which the caller starts as an upgrade. An invalid config is refused with one log
// line per problem and the running one goes on serving.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "proxy/admin/routes.h"
#include "proxy/admin/snapshot.h"
#include "proxy/app/topology_feed.h"
#include "proxy/config/yaml_reader.h"
#include "proxy/log/logger.h"
#include "proxy/session/generation.h"
#include "proxy/session/worker.h"

namespace pgroute::proxy {

class reloader {
  public:
    // `admin` is null without an admin listener. All must outlive the reloader.
    reloader(std::string config_path, std::shared_ptr<const generation> running,
             const std::vector<std::unique_ptr<worker>>& workers, topology_feed& feed,
             admin_sources* admin, const logger& log);

    // Thread-safe; one reload at a time.
    [[nodiscard]] reload_report reload();
    // Thread-safe: the config the last reload applied, or the first.
    [[nodiscard]] std::shared_ptr<const config> running_config();

  private:
    [[nodiscard]] reload_report refuse(const std::vector<std::string>& problems);
    [[nodiscard]] reload_report hand_to_new_process(const std::vector<config_problem>& changes);

    std::mutex lock_;
    std::string config_path_;
    std::shared_ptr<const generation> running_;
    const std::vector<std::unique_ptr<worker>>& workers_;
    topology_feed& feed_;
    admin_sources* admin_;
    const logger& log_;
};

}  // namespace pgroute::proxy
