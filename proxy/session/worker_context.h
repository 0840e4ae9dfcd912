// What a session needs from the worker thread it runs on: the services every worker shares
// (the log, the issued cancel keys and the old process's after an upgrade, each synchronised on
// its own), the configuration
// generation new sessions start with, and this worker's own parts, each behind an interface of
// its own.
#pragma once

#include <memory>

#include "proxy/cancel/cancel_keys.h"
#include "proxy/cancel/predecessor_cancels.h"
#include "proxy/log/logger.h"
#include "proxy/metrics/counters.h"
#include "proxy/relay/buffer_pool.h"
#include "proxy/routing/session_registry.h"
#include "proxy/session/generation.h"
#include "proxy/session/session_admission.h"
#include "proxy/session/worker_topology.h"

namespace pgroute::proxy {

struct worker_context {
    const logger& log;
    cancel_keys& issued_cancel_keys;
    predecessor_cancels& old_process_cancels;  // the keys an upgrade left with the old process
    // New sessions start with it and keep it; a reload replaces it. Never null.
    std::shared_ptr<const worker_generation> serving;
    session_admission admission;
    worker_topology topology;
    session_registry sessions;  // the sessions a new snapshot may cut
    buffer_pool buffers;
    worker_metrics metrics;  // bumped here, read by the admin thread
};

}  // namespace pgroute::proxy
