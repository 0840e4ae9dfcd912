// What a session needs from the worker thread it runs on. Everything here is owned by that
// thread except `client_count`, the process-wide connection count, `issued_cancel_keys` and the
// shared, read-only `tls` contexts.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "health/topology/snapshot.h"
#include "proxy/cancel/cancel_keys.h"
#include "proxy/config/config.h"
#include "proxy/log/logger.h"
#include "proxy/metrics/counters.h"
#include "proxy/net/tls_contexts.h"
#include "proxy/relay/buffer_pool.h"
#include "proxy/routing/session_registry.h"
#include "proxy/session/snapshot_waiters.h"

namespace pgroute::proxy {

struct worker_context {
    const config& cfg;
    const logger& log;
    std::atomic<std::uint32_t>& client_count;
    cancel_keys& issued_cancel_keys;
    tls_contexts& tls;
    unsigned worker_index = 0;
    buffer_pool buffers;
    session_registry sessions;
    health::topology_ptr topology;      // replaced on this thread when a snapshot is published
    snapshot_waiters snapshot_waiting;  // sessions waiting for the next one
    std::vector<std::uint64_t> route_tickets;  // one round-robin counter per endpoint
    std::uint64_t next_session_id = 0;
    std::size_t active_sessions = 0;  // accepted and not yet finished, registered or not
    bool stopping = false;
    worker_metrics metrics;  // bumped here, read by the admin thread
};

}  // namespace pgroute::proxy
