#include "proxy/metrics/totals.h"

namespace pgroute::proxy {

namespace {

template <std::size_t n>
void add(std::array<std::uint64_t, n>& total, const std::array<counter, n>& live) {
    for (std::size_t i = 0; i < n; ++i)
        total[i] += live[i].value();
}

void add(endpoint_totals& total, const endpoint_counters& live) {
    total.accepted += live.accepted.value();
    total.sessions_started += live.sessions_started.value();
    total.sessions_ended += live.sessions_ended.value();
    add(total.rejected, live.rejected);
    add(total.cancel_requests, live.cancel_requests);
    add(total.moves, live.moves);
    total.pinned += live.pinned.value();
    total.pinned_ended += live.pinned_ended.value();
    total.statements_retried += live.statements_retried.value();
}

void add(route_totals& total, const route_counters& live) {
    total.backend_opened += live.backend_opened.value();
    total.backend_closed += live.backend_closed.value();
    total.bytes_from_client += live.bytes_from_client.value();
    total.bytes_from_server += live.bytes_from_server.value();
    total.queries += live.queries.value();
    total.transactions += live.transactions.value();
    add(total.query_duration_buckets, live.query_duration_buckets);
    total.query_duration_nanoseconds += live.query_duration_nanoseconds.value();
    add(total.cuts, live.cuts);
}

}  // namespace

metrics_totals sum_worker_metrics(std::span<const worker_metrics* const> workers,
                                  std::size_t endpoint_count) {
    metrics_totals totals;
    totals.endpoints.resize(endpoint_count);
    for (const worker_metrics* worker : workers) {
        for (std::size_t e = 0; e < endpoint_count; ++e)
            add(totals.endpoints[e], worker->endpoint(e));
        worker->for_each_route(
            [&](const std::string& node, std::size_t endpoint, const route_counters& live) {
                auto& per_endpoint = totals.routes[node];
                per_endpoint.resize(endpoint_count);
                add(per_endpoint[endpoint], live);
            });
    }
    return totals;
}

std::uint64_t sessions_on_node(const metrics_totals& totals, const std::string& node) {
    const auto found = totals.routes.find(node);
    if (found == totals.routes.end()) return 0;
    std::uint64_t sessions = 0;
    for (const auto& route : found->second)
        sessions += open_count(route.backend_opened, route.backend_closed);
    return sessions;
}

}  // namespace pgroute::proxy
