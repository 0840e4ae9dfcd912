#include "proxy/admin/metrics_collectable.h"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "health/topology/node_role.h"
#include "health/topology/poll_duration.h"
#include "health/topology/poll_outcome.h"
#include "proxy/admin/metric_families.h"

namespace pgroute::proxy {

namespace {

// Every family pgroute exposes, in the order of the page.

constexpr gauge_family<1> client_sessions_open{
    "pgroute_client_sessions_open",
    "Client connections on the endpoint not yet closed, in any phase.",
    {"endpoint"}};
constexpr counter_family<1> client_sessions{
    "pgroute_client_sessions_total",
    "Client connections accepted on the endpoint, whatever became of them.",
    {"endpoint"}};
constexpr counter_family<2> client_sessions_rejected{
    "pgroute_client_sessions_rejected_total",
    "Client connections that ended before reaching a node, by reason.",
    {"endpoint", "reason"}};
constexpr gauge_family<1> sessions_pinned{
    "pgroute_sessions_pinned",
    "Open sessions of the endpoint that cannot move to another node (auth.mode: proxy): they "
    "used session state pgroute cannot rebuild elsewhere.",
    {"endpoint"}};
constexpr counter_family<2> sessions_moved{
    "pgroute_sessions_moved_total",
    "Sessions of the endpoint moved to another node unnoticed by their client (auth.mode: "
    "proxy), by why their node could no longer serve them.",
    {"endpoint", "reason"}};
constexpr counter_family<1> statements_retried{
    "pgroute_statements_retried_total",
    "Statements of the endpoint's sessions that their node's shutdown FATAL ended before any "
    "answer, run again on the node the session moved to (auth.mode: proxy).",
    {"endpoint"}};
constexpr counter_family<2> cancel_requests{
    "pgroute_cancel_requests_total",
    "CancelRequest packets received on the endpoint, by what became of them.",
    {"endpoint", "outcome"}};

constexpr gauge_family<2> backend_connections_open{
    "pgroute_backend_connections",
    "Open connections to the node for sessions of the endpoint.",
    {"endpoint", "node"}};
constexpr counter_family<2> backend_connections{
    "pgroute_backend_connections_total",
    "Connections opened to the node for sessions of the endpoint.",
    {"endpoint", "node"}};
constexpr counter_family<3> relayed_bytes{
    "pgroute_relayed_bytes_total",
    "Bytes relayed between clients of the endpoint and the node, by direction.",
    {"endpoint", "node", "direction"}};
constexpr counter_family<2> queries{"pgroute_queries_total",
                                    "Query cycles answered by ReadyForQuery: a simple Query, an "
                                    "extended-protocol Sync or a FunctionCall.",
                                    {"endpoint", "node"}};
constexpr counter_family<2> transactions{
    "pgroute_transactions_total",
    "Query cycles that left the session idle (ReadyForQuery 'I'): implicit and explicit "
    "transactions, as PgBouncer counts them.",
    {"endpoint", "node"}};
constexpr histogram_family<2> query_duration{
    "pgroute_query_duration_seconds",
    "Time from a Query, Sync or FunctionCall leaving the client to the ReadyForQuery that ends "
    "it, as pgroute sees them.",
    {"endpoint", "node"}};
constexpr counter_family<3> sessions_cut{
    "pgroute_sessions_cut_total",
    "Sessions pgroute ended because their node lost its role, or for shutdown.",
    {"endpoint", "node", "reason"}};

constexpr gauge_family<1> node_up{
    "pgroute_node_up",
    "1 when the node's last health check answered and the node is usable.",
    {"node"}};
constexpr gauge_family<2> node_role{
    "pgroute_node_role", "1 for the node's current role, 0 for the others.", {"node", "role"}};
constexpr gauge_family<1> node_readable{
    "pgroute_node_readable", "1 when new read sessions may start on the node.", {"node"}};
constexpr gauge_family<1> node_lag_bytes{
    "pgroute_node_lag_bytes",
    "Replay lag behind the leader, in bytes of WAL (replicas, when known).",
    {"node"}};
constexpr gauge_family<1> node_lag_seconds{
    "pgroute_node_lag_seconds",
    "Age of the last replayed transaction (replicas, when known).",
    {"node"}};
constexpr gauge_family<1> node_timeline{
    "pgroute_node_timeline", "The node's PostgreSQL timeline.", {"node"}};
constexpr gauge_family<1> write_target{
    "pgroute_write_target",
    "1 for the node that write sessions go to; all 0 while there is none.",
    {"node"}};
constexpr gauge_family<0> topology_generation{
    "pgroute_topology_generation",
    "Number of the current topology snapshot; grows with every health round."};

constexpr counter_family<0> leader_changes{
    "pgroute_leader_changes_total",
    "Times a node became the write target after another node had been it."};
constexpr counter_family<0> health_rounds{"pgroute_health_rounds_total",
                                          "Patroni health rounds completed (0 with static roles)."};
constexpr counter_family<2> patroni_polls{"pgroute_patroni_polls_total",
                                          "GET /patroni requests to the node, by outcome.",
                                          {"node", "outcome"}};
constexpr histogram_family<1> patroni_poll_duration{
    "pgroute_patroni_poll_duration_seconds",
    "Time a GET /patroni request to the node took, whatever its outcome.",
    {"node"}};
constexpr counter_family<1> patroni_cluster_polls{"pgroute_patroni_cluster_polls_total",
                                                  "GET /cluster requests (membership), by outcome.",
                                                  {"outcome"}};

constexpr gauge_family<2> build_info{"pgroute_build_info",
                                     "Always 1; the labels say which pgroute this is.",
                                     {"version", "io_backend"}};
constexpr gauge_family<0> worker_threads{"pgroute_worker_threads",
                                         "Worker threads relaying sessions."};
// The standard process metrics, named and explained as Prometheus' own clients do.
constexpr counter_family<0> process_cpu{"process_cpu_seconds_total",
                                        "Total user and system CPU time spent in seconds."};
constexpr gauge_family<0> process_resident_memory{"process_resident_memory_bytes",
                                                  "Resident memory size in bytes."};
constexpr gauge_family<0> process_virtual_memory{"process_virtual_memory_bytes",
                                                 "Virtual memory size in bytes."};
constexpr gauge_family<0> process_open_fds{"process_open_fds", "Number of open file descriptors."};
constexpr gauge_family<0> process_max_fds{"process_max_fds",
                                          "Maximum number of open file descriptors."};
constexpr gauge_family<0> process_start_time{
    "process_start_time_seconds", "Start time of the process since unix epoch in seconds."};

using health::node_role;

constexpr std::array all_roles{node_role::unknown, node_role::leader, node_role::replica,
                               node_role::standby_leader, node_role::demoted};

constexpr std::string_view io_backend =
#ifdef ASIO_HAS_IO_URING
    "io_uring";
#else
    "epoll";
#endif

// One sample per value of an enum whose counts are kept in an array indexed by it, labelled with
// `leading` and then the value's name.
template <typename Enum, typename Samples, typename Counts, typename... Labels>
void add_each_value(Samples& out, const Counts& by_value, Labels... leading) {
    for (std::size_t i = 0; i < by_value.size(); ++i)
        out.add({leading..., to_string(static_cast<Enum>(i))}, by_value[i]);
}

double seconds(std::uint64_t nanoseconds) {
    return static_cast<double>(nanoseconds) / 1e9;
}

void collect_client_metrics(metric_families& out, const admin_snapshot& snapshot,
                            const config& cfg) {
    auto [open, accepted, rejected, pinned, moved, retried, cancels] =
        out.start_each(client_sessions_open, client_sessions, client_sessions_rejected,
                       sessions_pinned, sessions_moved, statements_retried, cancel_requests);
    for (std::size_t e = 0; e < snapshot.totals.endpoints.size(); ++e) {
        const std::string_view endpoint = cfg.endpoints[e].name;
        const auto& totals = snapshot.totals.endpoints[e];
        open.add({endpoint}, open_count(totals.sessions_started, totals.sessions_ended));
        accepted.add({endpoint}, totals.accepted);
        add_each_value<session_rejection>(rejected, totals.rejected, endpoint);
        pinned.add({endpoint}, open_count(totals.pinned, totals.pinned_ended));
        add_each_value<move_reason>(moved, totals.moves, endpoint);
        retried.add({endpoint}, totals.statements_retried);
        add_each_value<cancel_outcome>(cancels, totals.cancel_requests, endpoint);
    }
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

void collect_route_metrics(metric_families& out, const admin_snapshot& snapshot,
                           const config& cfg) {
    auto [open, opened, bytes, cycles, idle_cycles, durations, cuts] =
        out.start_each(backend_connections_open, backend_connections, relayed_bytes, queries,
                       transactions, query_duration, sessions_cut);
    const route_totals none{};
    for (const auto& node_name : route_nodes(snapshot)) {
        const std::string_view node = node_name;
        const auto found = snapshot.totals.routes.find(node_name);
        for (std::size_t e = 0; e < cfg.endpoints.size(); ++e) {
            const std::string_view endpoint = cfg.endpoints[e].name;
            const auto& r = found == snapshot.totals.routes.end() ? none : found->second[e];
            open.add({endpoint, node}, open_count(r.backend_opened, r.backend_closed));
            opened.add({endpoint, node}, r.backend_opened);
            bytes.add({endpoint, node, "client_to_server"}, r.bytes_from_client);
            bytes.add({endpoint, node, "server_to_client"}, r.bytes_from_server);
            cycles.add({endpoint, node}, r.queries);
            idle_cycles.add({endpoint, node}, r.transactions);
            durations.add({endpoint, node}, {query_duration_bounds, r.query_duration_buckets,
                                             seconds(r.query_duration_nanoseconds)});
            add_each_value<cut_reason>(cuts, r.cuts, endpoint, node);
        }
    }
}

void collect_node_metrics(metric_families& out, const health::topology_snapshot& topology) {
    auto [up, role, readable, lag_bytes, lag_seconds, timeline, target] =
        out.start_each(node_up, node_role, node_readable, node_lag_bytes, node_lag_seconds,
                       node_timeline, write_target);
    for (std::size_t i = 0; i < topology.nodes.size(); ++i) {
        const auto& node = topology.nodes[i];
        const std::string_view name = node.address.name;
        up.add({name}, node.up);
        for (const auto each : all_roles)
            role.add({name, health::to_string(each)}, node.role == each);
        readable.add({name}, node.readable);
        if (node.lag_bytes) lag_bytes.add({name}, *node.lag_bytes);
        if (node.lag_seconds) lag_seconds.add({name}, *node.lag_seconds);
        if (node.timeline) timeline.add({name}, *node.timeline);
        target.add({name}, topology.write_target == i);
    }
    out.start(topology_generation).add({}, topology.generation);
}

void collect_health_metrics(metric_families& out, const health_report& health) {
    out.start(leader_changes).add({}, health.leader_changes);
    out.start(health_rounds).add({}, health.health_rounds);
    auto polls = out.start(patroni_polls);
    for (const auto& [node, counts] : health.status_polls)
        add_each_value<health::poll_outcome>(polls, counts, std::string_view(node));
    auto poll_durations = out.start(patroni_poll_duration);
    for (const auto& [node, durations] : health.status_poll_durations) {
        poll_durations.add(
            {node}, {health::poll_duration_bounds, durations.buckets, durations.sum_seconds});
    }
    auto cluster_polls = out.start(patroni_cluster_polls);
    if (health.patroni) add_each_value<health::poll_outcome>(cluster_polls, health.cluster_polls);
}

void collect_process_metrics(metric_families& out, const admin_snapshot& snapshot) {
    out.start(build_info).add({PGROUTE_VERSION, io_backend}, 1);
    out.start(worker_threads).add({}, static_cast<double>(snapshot.worker_threads));
    const auto& process = snapshot.process;
    out.start(process_cpu).add({}, process.cpu_seconds);
    out.start(process_resident_memory).add({}, process.resident_bytes);
    out.start(process_virtual_memory).add({}, process.virtual_bytes);
    out.start(process_open_fds).add({}, process.open_fds);
    out.start(process_max_fds).add({}, process.max_fds);
    out.start(process_start_time).add({}, process.start_time_seconds);
}

}  // namespace

std::vector<prometheus::MetricFamily> metrics_collectable::Collect() const {
    const auto snapshot = sources_.take();
    metric_families out;
    const auto cfg = sources_.cfg();
    collect_client_metrics(out, snapshot, *cfg);
    collect_route_metrics(out, snapshot, *cfg);
    collect_node_metrics(out, *snapshot.health.topology);
    collect_health_metrics(out, snapshot.health);
    collect_process_metrics(out, snapshot);
    return std::move(out).take();
}

}  // namespace pgroute::proxy
