#include "proxy/admin/exposition.h"

#include <algorithm>

#include "health/topology/node_role.h"
#include "proxy/admin/exposition_writer.h"

namespace pgroute::proxy {

namespace {

using health::NodeRole;

constexpr std::array all_roles{NodeRole::unknown, NodeRole::leader, NodeRole::replica,
                               NodeRole::standby_leader, NodeRole::demoted};

constexpr std::string_view io_backend =
#ifdef ASIO_HAS_IO_URING
    "io_uring";
#else
    "epoll";
#endif

double seconds(std::uint64_t nanoseconds) {
    return static_cast<double>(nanoseconds) / 1e9;
}

// Every node the topology lists, then any other node sessions were routed to (one that left),
// so per-node series exist from the start and never vanish.
std::vector<std::string> route_nodes(const admin_snapshot& snapshot) {
    std::vector<std::string> names;
    for (const auto& node : snapshot.health.topology->nodes)
        names.push_back(node.address.name);
    for (const auto& [name, routes] : snapshot.totals.routes) {
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
    return names;
}

void write_client_metrics(metrics_writer& out, const admin_snapshot& snapshot, const config& cfg) {
    const auto& endpoints = snapshot.totals.endpoints;
    out.family("pgroute_client_sessions_open", metric_type::gauge,
               "Client connections on the endpoint not yet closed, in any phase.");
    for (std::size_t e = 0; e < endpoints.size(); ++e) {
        out.sample({{"endpoint", cfg.endpoints[e].name}},
                   open_count(endpoints[e].sessions_started, endpoints[e].sessions_ended));
    }
    out.family("pgroute_client_sessions_total", metric_type::counter,
               "Client connections accepted on the endpoint, whatever became of them.");
    for (std::size_t e = 0; e < endpoints.size(); ++e)
        out.sample({{"endpoint", cfg.endpoints[e].name}}, endpoints[e].accepted);
    out.family("pgroute_client_sessions_rejected_total", metric_type::counter,
               "Client connections that ended before reaching a node, by reason.");
    for (std::size_t e = 0; e < endpoints.size(); ++e) {
        for (std::size_t r = 0; r < session_rejection_count; ++r) {
            out.sample({{"endpoint", cfg.endpoints[e].name},
                        {"reason", to_string(static_cast<session_rejection>(r))}},
                       endpoints[e].rejected[r]);
        }
    }
    out.family("pgroute_cancel_requests_total", metric_type::counter,
               "CancelRequest packets received on the endpoint, by what became of them.");
    for (std::size_t e = 0; e < endpoints.size(); ++e) {
        for (std::size_t o = 0; o < cancel_outcome_count; ++o) {
            out.sample({{"endpoint", cfg.endpoints[e].name},
                        {"outcome", to_string(static_cast<cancel_outcome>(o))}},
                       endpoints[e].cancel_requests[o]);
        }
    }
}

// Calls fn(endpoint name, node name, totals) for every endpoint and node, zeros included.
template <typename Fn>
void for_each_route(const admin_snapshot& snapshot, const config& cfg, Fn&& fn) {
    const route_totals none{};
    for (const auto& node : route_nodes(snapshot)) {
        const auto found = snapshot.totals.routes.find(node);
        for (std::size_t e = 0; e < cfg.endpoints.size(); ++e) {
            fn(cfg.endpoints[e].name, node,
               found == snapshot.totals.routes.end() ? none : found->second[e]);
        }
    }
}

void write_route_metrics(metrics_writer& out, const admin_snapshot& snapshot, const config& cfg) {
    out.family("pgroute_backend_connections", metric_type::gauge,
               "Open connections to the node for sessions of the endpoint.");
    for_each_route(snapshot, cfg, [&](std::string_view e, std::string_view n, const auto& r) {
        out.sample({{"endpoint", e}, {"node", n}}, open_count(r.backend_opened, r.backend_closed));
    });
    out.family("pgroute_backend_connections_total", metric_type::counter,
               "Connections opened to the node for sessions of the endpoint.");
    for_each_route(snapshot, cfg, [&](std::string_view e, std::string_view n, const auto& r) {
        out.sample({{"endpoint", e}, {"node", n}}, r.backend_opened);
    });
    out.family("pgroute_relayed_bytes_total", metric_type::counter,
               "Bytes relayed between clients of the endpoint and the node, by direction.");
    for_each_route(snapshot, cfg, [&](std::string_view e, std::string_view n, const auto& r) {
        out.sample({{"endpoint", e}, {"node", n}, {"direction", "client_to_server"}},
                   r.bytes_from_client);
        out.sample({{"endpoint", e}, {"node", n}, {"direction", "server_to_client"}},
                   r.bytes_from_server);
    });
    out.family("pgroute_queries_total", metric_type::counter,
               "Query cycles answered by ReadyForQuery: a simple Query, an extended-protocol Sync "
               "or a FunctionCall.");
    for_each_route(snapshot, cfg, [&](std::string_view e, std::string_view n, const auto& r) {
        out.sample({{"endpoint", e}, {"node", n}}, r.queries);
    });
    out.family("pgroute_transactions_total", metric_type::counter,
               "Query cycles that left the session idle (ReadyForQuery 'I'): implicit and "
               "explicit transactions, as PgBouncer counts them.");
    for_each_route(snapshot, cfg, [&](std::string_view e, std::string_view n, const auto& r) {
        out.sample({{"endpoint", e}, {"node", n}}, r.transactions);
    });
    out.family("pgroute_query_duration_seconds", metric_type::histogram,
               "Time from a Query, Sync or FunctionCall leaving the client to the ReadyForQuery "
               "that ends it, as pgroute sees them.");
    for_each_route(snapshot, cfg, [&](std::string_view e, std::string_view n, const auto& r) {
        out.histogram({{"endpoint", e}, {"node", n}}, query_duration_bounds,
                      r.query_duration_buckets, seconds(r.query_duration_nanoseconds));
    });
    out.family("pgroute_sessions_cut_total", metric_type::counter,
               "Sessions pgroute ended because their node lost its role, or for shutdown.");
    for_each_route(snapshot, cfg, [&](std::string_view e, std::string_view n, const auto& r) {
        for (std::size_t c = 0; c < cut_reason_count; ++c) {
            out.sample(
                {{"endpoint", e}, {"node", n}, {"reason", to_string(static_cast<cut_reason>(c))}},
                r.cuts[c]);
        }
    });
}

void write_node_metrics(metrics_writer& out, const health::Topology& topology) {
    out.family("pgroute_node_up", metric_type::gauge,
               "1 when the node's last health check answered and the node is usable.");
    for (const auto& node : topology.nodes)
        out.sample({{"node", node.address.name}}, std::uint64_t{node.up});
    out.family("pgroute_node_role", metric_type::gauge,
               "1 for the node's current role, 0 for the others.");
    for (const auto& node : topology.nodes) {
        for (const auto role : all_roles) {
            out.sample({{"node", node.address.name}, {"role", health::to_string(role)}},
                       std::uint64_t{node.role == role});
        }
    }
    out.family("pgroute_node_readable", metric_type::gauge,
               "1 when new read sessions may start on the node.");
    for (const auto& node : topology.nodes)
        out.sample({{"node", node.address.name}}, std::uint64_t{node.readable});
    out.family("pgroute_node_lag_bytes", metric_type::gauge,
               "Replay lag behind the leader, in bytes of WAL (replicas, when known).");
    for (const auto& node : topology.nodes) {
        if (node.lag_bytes) out.sample({{"node", node.address.name}}, *node.lag_bytes);
    }
    out.family("pgroute_node_lag_seconds", metric_type::gauge,
               "Age of the last replayed transaction (replicas, when known).");
    for (const auto& node : topology.nodes) {
        if (node.lag_seconds) out.sample({{"node", node.address.name}}, *node.lag_seconds);
    }
    out.family("pgroute_node_timeline", metric_type::gauge, "The node's PostgreSQL timeline.");
    for (const auto& node : topology.nodes) {
        if (node.timeline) out.sample({{"node", node.address.name}}, *node.timeline);
    }
    out.family("pgroute_write_target", metric_type::gauge,
               "1 for the node that write sessions go to; all 0 while there is none.");
    for (std::size_t i = 0; i < topology.nodes.size(); ++i) {
        out.sample({{"node", topology.nodes[i].address.name}},
                   std::uint64_t{topology.write_target == i});
    }
    out.family("pgroute_topology_generation", metric_type::gauge,
               "Number of the current topology snapshot; grows with every health round.");
    out.sample({}, topology.generation);
}

void write_health_metrics(metrics_writer& out, const health_report& health) {
    out.family("pgroute_leader_changes_total", metric_type::counter,
               "Times a node became the write target after another node had been it.");
    out.sample({}, health.leader_changes);
    out.family("pgroute_health_rounds_total", metric_type::counter,
               "Patroni health rounds completed (0 with static roles).");
    out.sample({}, health.health_rounds);
    out.family("pgroute_patroni_polls_total", metric_type::counter,
               "GET /patroni requests to the node, by outcome.");
    for (const auto& [node, counts] : health.status_polls) {
        for (std::size_t o = 0; o < counts.size(); ++o) {
            out.sample({{"node", node},
                        {"outcome", health::to_string(static_cast<health::PollOutcome>(o))}},
                       counts[o]);
        }
    }
    out.family("pgroute_patroni_poll_duration_seconds", metric_type::histogram,
               "Time a GET /patroni request to the node took, whatever its outcome.");
    for (const auto& [node, durations] : health.status_poll_durations) {
        out.histogram({{"node", node}}, health::poll_duration_bounds, durations.buckets,
                      durations.sum_seconds);
    }
    out.family("pgroute_patroni_cluster_polls_total", metric_type::counter,
               "GET /cluster requests (membership), by outcome.");
    if (health.patroni) {
        for (std::size_t o = 0; o < health.cluster_polls.size(); ++o) {
            out.sample({{"outcome", health::to_string(static_cast<health::PollOutcome>(o))}},
                       health.cluster_polls[o]);
        }
    }
}

void write_process_metrics(metrics_writer& out, const admin_snapshot& snapshot) {
    out.family("pgroute_build_info", metric_type::gauge,
               "Always 1; the labels say which pgroute this is.");
    out.sample({{"version", PGROUTE_VERSION}, {"io_backend", io_backend}}, std::uint64_t{1});
    out.family("pgroute_worker_threads", metric_type::gauge, "Worker threads relaying sessions.");
    out.sample({}, std::uint64_t{snapshot.worker_threads});
    const auto& process = snapshot.process;
    out.family("process_cpu_seconds_total", metric_type::counter,
               "Total user and system CPU time spent in seconds.");
    out.sample({}, process.cpu_seconds);
    out.family("process_resident_memory_bytes", metric_type::gauge,
               "Resident memory size in bytes.");
    out.sample({}, process.resident_bytes);
    out.family("process_virtual_memory_bytes", metric_type::gauge, "Virtual memory size in bytes.");
    out.sample({}, process.virtual_bytes);
    out.family("process_open_fds", metric_type::gauge, "Number of open file descriptors.");
    out.sample({}, process.open_fds);
    out.family("process_max_fds", metric_type::gauge, "Maximum number of open file descriptors.");
    out.sample({}, process.max_fds);
    out.family("process_start_time_seconds", metric_type::gauge,
               "Start time of the process since unix epoch in seconds.");
    out.sample({}, process.start_time_seconds);
}

}  // namespace

std::string render_metrics(const admin_snapshot& snapshot, const config& cfg) {
    metrics_writer out;
    write_client_metrics(out, snapshot, cfg);
    write_route_metrics(out, snapshot, cfg);
    write_node_metrics(out, *snapshot.health.topology);
    write_health_metrics(out, snapshot.health);
    write_process_metrics(out, snapshot);
    return out.text();
}

}  // namespace pgroute::proxy
