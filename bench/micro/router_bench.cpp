// Choosing the node for a new session: once per accepted client connection, before the backend
// connect, so it is part of the connection-rate cost. Measured on the snapshots the Patroni rules
// publish for a typical 3-node cluster and a wide 9-node one; the per-node session counts that
// least-connections needs are computed by the caller and not timed here.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "health/topology/snapshot.h"
#include "proxy/config/config.h"
#include "proxy/routing/router.h"

namespace pgroute::bench {
namespace {

using health::node_role;
using proxy::balance_kind;
using proxy::route_kind;

health::node_view running_node(std::size_t index, node_role role) {
    health::node_view node;
    node.address = {"pg" + std::to_string(index + 1), "10.0.0." + std::to_string(index + 11), 5432};
    node.role = role;
    node.state = "running";
    node.up = true;
    node.timeline = 1;
    return node;
}

// A leader and `replica_count` replicas, all running and within the lag bound, so all readable.
health::topology_snapshot patroni_snapshot(std::size_t replica_count) {
    health::topology_snapshot topology;
    topology.generation = 1;
    topology.nodes.push_back(running_node(0, node_role::leader));
    topology.write_target = 0;
    for (std::size_t index = 1; index <= replica_count; ++index) {
        auto replica = running_node(index, node_role::replica);
        replica.readable = true;
        replica.lag_bytes = 16 * 1024;  // default max_lag_bytes is 1 MiB
        replica.lag_seconds = 0.01;
        topology.nodes.push_back(std::move(replica));
        topology.readable.push_back(index);
    }
    return topology;
}

// Ranged by the number of replicas.
void BM_pick_node(benchmark::State& state, route_kind route, balance_kind balance) {
    const auto topology = patroni_snapshot(static_cast<std::size_t>(state.range(0)));
    proxy::endpoint_config endpoint{"bench", {"127.0.0.1", 5432}, route};
    endpoint.balance = balance;
    // Uneven loads, so that least-connections has a minimum to find rather than only ties.
    std::vector<std::uint32_t> sessions_per_node;
    for (std::size_t node = 0; node < topology.nodes.size(); ++node) {
        sessions_per_node.push_back(static_cast<std::uint32_t>(20 + (node * 7) % 5));
    }
    std::uint64_t ticket = 0;
    for (auto _ : state) {
        auto decision = proxy::pick_node(topology, endpoint, ticket++, sessions_per_node);
        if (!decision.node) {
            state.SkipWithError("the benchmark's topology was refused");
            break;
        }
        benchmark::DoNotOptimize(decision);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_pick_node, write, route_kind::leader, balance_kind::round_robin)
    ->ArgName("replicas")
    ->Arg(2)
    ->Arg(8);
BENCHMARK_CAPTURE(BM_pick_node, read_round_robin, route_kind::replica, balance_kind::round_robin)
    ->ArgName("replicas")
    ->Arg(2)
    ->Arg(8);
BENCHMARK_CAPTURE(BM_pick_node, read_least_connections, route_kind::replica,
                  balance_kind::least_connections)
    ->ArgName("replicas")
    ->Arg(2)
    ->Arg(8);

}  // namespace
}  // namespace pgroute::bench
