#include <asio/use_awaitable.hpp>

#include "proxy/session/session_phases.h"

namespace pgroute::proxy {

namespace {

// Returns once the worker has a snapshot other than `seen`, or the session may wait no longer.
// The health loop publishes one every patroni.fast_interval while there is no leader, and the
// worker wakes its waiting sessions as it adopts each.
asio::awaitable<void> wait_for_newer_snapshot(worker_context& worker,
                                              const health::topology_ptr& seen,
                                              std::chrono::steady_clock::time_point give_up) {
    while (worker.topology == seen && may_wait_for_node(worker, give_up)) {
        co_await worker.snapshot_waiting.wait(give_up);
    }
}

}  // namespace

bool may_wait_for_node(const worker_context& worker,
                       std::chrono::steady_clock::time_point give_up) {
    return worker.cfg.patroni.has_value() && !worker.stopping &&
           std::chrono::steady_clock::now() < give_up;
}

asio::awaitable<routing> route_session(const endpoint_config& endpoint, std::size_t endpoint_index,
                                       worker_context& worker,
                                       std::chrono::steady_clock::time_point give_up,
                                       const health::topology_ptr& stale) {
    const auto asked_at = std::chrono::steady_clock::now();
    routing routed;
    if (stale) {
        routed.waiting_since = asked_at;
        co_await wait_for_newer_snapshot(worker, stale, give_up);
    }
    for (;;) {
        routed.topology = worker.topology;
        const auto counts = endpoint.balance == balance_kind::least_connections
                                ? worker.sessions.count_per_node(*routed.topology)
                                : std::vector<std::uint32_t>{};
        routed.decision =
            pick_node(*routed.topology, endpoint, worker.route_tickets[endpoint_index]++, counts);
        if (routed.decision.node || !may_wait_for_node(worker, give_up)) co_return routed;
        if (!routed.waiting_since) routed.waiting_since = asked_at;
        co_await wait_for_newer_snapshot(worker, routed.topology, give_up);
    }
}

}  // namespace pgroute::proxy
