#include <asio/use_awaitable.hpp>

#include "proxy/session/session_phases.h"

namespace pgroute::proxy {

asio::awaitable<routing> route_session(const endpoint_config& endpoint, std::size_t endpoint_index,
                                       worker_topology& topology, const session_registry& sessions,
                                       std::chrono::steady_clock::time_point give_up,
                                       const health::topology_ptr& stale) {
    const auto asked_at = std::chrono::steady_clock::now();
    routing routed;
    if (stale) {
        routed.waiting_since = asked_at;
        co_await topology.wait_for_newer(stale, give_up);
    }
    for (;;) {
        routed.topology = topology.current();
        const auto counts = endpoint.balance == balance_kind::least_connections
                                ? sessions.count_per_node(*routed.topology)
                                : std::vector<std::uint32_t>{};
        routed.decision =
            pick_node(*routed.topology, endpoint, topology.take_ticket(endpoint_index), counts);
        if (routed.decision.node || !topology.may_wait(give_up)) co_return routed;
        if (!routed.waiting_since) routed.waiting_since = asked_at;
        co_await topology.wait_for_newer(routed.topology, give_up);
    }
}

}  // namespace pgroute::proxy
