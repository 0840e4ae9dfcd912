// A proxy's worth of admin sources for unit tests: a config with a write and a read endpoint,
// two workers' counters, a health board and the charts' history, with no sockets or threads
// behind them.
#pragma once

#include <memory>

#include "proxy/admin/health_board.h"
#include "proxy/admin/snapshot.h"
#include "proxy/admin/status_history.h"
#include "proxy/config/config.h"
#include "proxy/metrics/counters.h"
#include "topology_builder.h"

namespace pgroute::proxy::testing {

inline config two_endpoint_config() {
    config cfg;
    cfg.endpoints.push_back({"write", {"127.0.0.1", 5551}, route_kind::leader});
    cfg.endpoints.push_back({"read", {"127.0.0.1", 5552}, route_kind::replica});
    cfg.admin = admin_config{};
    return cfg;
}

struct admin_fixture {
    explicit admin_fixture(const health::topology_snapshot& topology, bool patroni = true)
        : board(std::make_shared<health::topology_snapshot>(topology), patroni) {}

    [[nodiscard]] admin_snapshot snapshot() const { return sources.take(); }

    config cfg = two_endpoint_config();
    health_board board;
    worker_metrics worker_a{2};
    worker_metrics worker_b{2};
    admin_sources sources{std::make_shared<const config>(cfg), {&worker_a, &worker_b}, board};
    status_history history;  // empty unless a test records samples
};

}  // namespace pgroute::proxy::testing
