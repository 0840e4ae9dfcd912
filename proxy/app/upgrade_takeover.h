// The new process's side of an upgrade: the sockets the old pgroute handed over (named in
// PGROUTE_UPGRADE, the cancel channel in PGROUTE_UPGRADE_CANCELS, both then removed from the
// environment, so that this process's own upgrade starts clean), matched to this config's
// endpoints by the address each is bound to and shared out among the workers; and the byte that
// tells the old process to step back.
#pragma once

#include <sys/types.h>

#include <optional>
#include <vector>

#include "proxy/config/config.h"
#include "proxy/log/logger.h"
#include "proxy/session/worker.h"

namespace pgroute::proxy {

struct takeover {
    std::vector<std::vector<endpoint_listeners>> by_worker;  // [worker][endpoint]
    std::optional<int> admin;  // when the new config has an admin listener on the same address
    int ready_fd = -1;
    std::optional<int> cancels;  // where CancelRequests for the old process's sessions go
    pid_t old_pid = -1;
};

// Nothing when this process was not started by an upgrade, or when the handover cannot be read
// (logged; the process then binds its own sockets, which the old one still holds, and fails to
// start). A socket no endpoint of this config listens on is logged and closed.
[[nodiscard]] std::optional<takeover> take_over_listeners(const config& cfg, unsigned workers,
                                                          const logger& log);

// Tells the old process that this one serves: it stops accepting and drains.
void report_serving(takeover& taken, const logger& log);

}  // namespace pgroute::proxy
