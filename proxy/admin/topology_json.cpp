#include "proxy/admin/topology_json.h"

#include <nlohmann/json.hpp>

#include "health/topology/node_role.h"

namespace pgroute::proxy {

namespace {

using json = nlohmann::ordered_json;  // keys in the order written, for people reading it

template <typename T>
json or_null(const std::optional<T>& value) {
    return value ? json(*value) : json(nullptr);
}

json node_json(const health::node_view& node, bool write_target, const metrics_totals& totals) {
    return {
        {"name", node.address.name},
        {"host", node.address.host},
        {"port", node.address.port},
        {"role", health::to_string(node.role)},
        {"state", node.state},
        {"up", node.up},
        {"drained", node.drained},
        {"write_target", write_target},
        {"readable", node.readable},
        {"not_readable_reason", node.not_readable_reason},
        {"lag_bytes", or_null(node.lag_bytes)},
        {"lag_seconds", or_null(node.lag_seconds)},
        {"timeline", or_null(node.timeline)},
        {"sessions", sessions_on_node(totals, node.address.name)},
    };
}

}  // namespace

std::string render_topology_json(const admin_snapshot& snapshot, const config& cfg) {
    const auto& topology = *snapshot.health.topology;
    json nodes = json::array();
    for (std::size_t i = 0; i < topology.nodes.size(); ++i) {
        nodes.push_back(node_json(topology.nodes[i], topology.write_target == i, snapshot.totals));
    }
    json endpoints = json::array();
    for (std::size_t e = 0; e < cfg.endpoints.size(); ++e) {
        const auto& endpoint = cfg.endpoints[e];
        const auto& totals = snapshot.totals.endpoints[e];
        endpoints.push_back({
            {"name", endpoint.name},
            {"listen", endpoint.listen.host + ":" + std::to_string(endpoint.listen.port)},
            {"route", endpoint.route == route_kind::leader ? "leader" : "replica"},
            {"sessions_open", open_count(totals.sessions_started, totals.sessions_ended)},
        });
    }
    json events = json::array();
    for (const auto& event : snapshot.health.recent_events)
        events.push_back({{"at", format_utc(event.at)}, {"text", event.text}});
    const auto* leader = topology.leader();
    const json document{
        {"mode", snapshot.health.patroni ? "patroni" : "static"},
        {"generation", topology.generation},
        {"write_target", leader ? json(leader->address.name) : json(nullptr)},
        {"no_write_target_reason", topology.no_write_target_reason},
        {"leader_changes", snapshot.health.leader_changes},
        {"nodes", std::move(nodes)},
        {"endpoints", std::move(endpoints)},
        {"recent_events", std::move(events)},
    };
    // Names come from Patroni: bytes that are not UTF-8 are replaced rather than thrown on.
    return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace pgroute::proxy
