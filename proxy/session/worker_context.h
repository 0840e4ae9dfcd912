// What a session needs from the worker thread it runs on: the services every worker shares
// (the config, the log, the TLS contexts and the issued cancel keys, each read-only or
// synchronised on its own), and this worker's own parts, each behind an interface of its own.
#pragma once

#include "proxy/cancel/cancel_keys.h"
#include "proxy/config/config.h"
#include "proxy/log/logger.h"
#include "proxy/metrics/counters.h"
#include "proxy/net/tls_contexts.h"
#include "proxy/relay/buffer_pool.h"
#include "proxy/routing/session_registry.h"
#include "proxy/session/auth_lookup.h"
#include "proxy/session/proxy_auth.h"
#include "proxy/session/session_admission.h"
#include "proxy/session/worker_topology.h"

namespace pgroute::proxy {

struct worker_context {
    const config& cfg;
    const logger& log;
    tls_contexts& tls;
    cancel_keys& issued_cancel_keys;
    const proxy_auth* auth;  // set in proxy mode (auth.mode: proxy)
    session_admission admission;
    worker_topology topology;
    session_registry sessions;  // the sessions a new snapshot may cut
    buffer_pool buffers;
    worker_metrics metrics;                // bumped here, read by the admin thread
    std::unique_ptr<auth_lookup> lookups;  // set with auth.auth_user
};

}  // namespace pgroute::proxy
