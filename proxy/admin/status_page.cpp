#include "proxy/admin/status_page.h"

#include <cstdio>
#include <numeric>

#include "health/topology/node_role.h"
#include "proxy/admin/status_charts.h"

namespace pgroute::proxy {

namespace {

constexpr std::string_view style = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.1em;margin:1.4em 0 .4em}
.summary{color:#555}.summary b{color:#222}
table{border-collapse:collapse;background:#fff}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;white-space:nowrap}
th{background:#eee}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.leader td{background:#e3f1ff}tr.down td{background:#fde2e2}
.ok{color:#17702b;font-weight:600}.bad{color:#b3261e;font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:.6em}.chart{background:#fff;border:1px solid #ccc}
.summary .m-leader{color:#b3261e}.summary .m-cut{color:#e65100}.summary .m-move{color:#6a1b9a}
ol{padding-left:1.4em}li{margin:.1em 0}time{color:#555;font-variant-numeric:tabular-nums}
)";

std::string number(double value, const char* format) {
    char text[48];
    std::snprintf(text, sizeof text, format, value);
    return text;
}

std::string bytes_text(std::uint64_t bytes) {
    if (bytes < 1024) return std::to_string(bytes) + " B";
    if (bytes < std::uint64_t{1024} * 1024)
        return number(static_cast<double>(bytes) / 1024, "%.1f kB");
    return number(static_cast<double>(bytes) / (1024.0 * 1024.0), "%.1f MB");
}

std::string verdict(bool good, std::string_view yes, std::string_view no) {
    return good ? "<span class=\"ok\">" + std::string(yes) + "</span>"
                : "<span class=\"bad\">" + std::string(no) + "</span>";
}

std::string cell(std::string_view html, bool numeric = false) {
    return (numeric ? "<td class=\"num\">" : "<td>") + std::string(html) + "</td>";
}

// Whether new read sessions may start on the node, and if not, why.
std::string reads(const health::node_view& node, bool write_target) {
    if (node.readable) return verdict(true, "yes", "");
    if (write_target) return "-";  // reads reach it only as a read endpoint's fallback
    std::string html = verdict(false, "", "no");
    if (!node.not_readable_reason.empty()) html += ": " + html_escape(node.not_readable_reason);
    return html;
}

std::uint64_t polls_failed(const health_report& health, const std::string& node) {
    const auto found = health.status_polls.find(node);
    if (found == health.status_polls.end()) return 0;
    return std::accumulate(found->second.begin() + 1, found->second.end(), std::uint64_t{0});
}

std::string nodes_table(const admin_snapshot& snapshot) {
    const auto& topology = *snapshot.health.topology;
    std::string html =
        "<table id=\"nodes\"><tr><th>Node</th><th>Address</th><th>Role</th><th>State</th>"
        "<th>Up</th><th>Reads</th><th>Lag</th><th>Lag (s)</th><th>TL</th><th>Sessions</th>"
        "<th>Failed polls</th></tr>\n";
    for (std::size_t i = 0; i < topology.nodes.size(); ++i) {
        const auto& node = topology.nodes[i];
        const bool leader = topology.write_target == i;
        html += leader ? "<tr class=\"leader\">" : node.up ? "<tr>" : "<tr class=\"down\">";
        html += cell("<b>" + html_escape(node.address.name) + "</b>");
        html += cell(html_escape(node.address.host + ":" + std::to_string(node.address.port)));
        html += cell(std::string(health::to_string(node.role)) + (leader ? " (write target)" : ""));
        html += cell(html_escape(node.state));
        html += cell(verdict(node.up, "up", "down"));
        html += cell(reads(node, leader));
        html += cell(node.lag_bytes ? bytes_text(*node.lag_bytes) : "", true);
        html += cell(node.lag_seconds ? number(*node.lag_seconds, "%.1f") : "", true);
        html += cell(node.timeline ? std::to_string(*node.timeline) : "", true);
        html += cell(std::to_string(sessions_on_node(snapshot.totals, node.address.name)), true);
        html += cell(std::to_string(polls_failed(snapshot.health, node.address.name)), true);
        html += "</tr>\n";
    }
    return html + "</table>\n";
}

std::string endpoints_table(const admin_snapshot& snapshot, const config& cfg) {
    std::string html =
        "<table id=\"endpoints\"><tr><th>Endpoint</th><th>Listen</th><th>Route</th>"
        "<th>Open</th><th>Total</th><th>Rejected</th><th>Pinned</th><th>Moved</th>"
        "<th>Queries</th><th>Bytes in</th><th>Bytes out</th></tr>\n";
    for (std::size_t e = 0; e < cfg.endpoints.size(); ++e) {
        const auto& endpoint = cfg.endpoints[e];
        const auto& totals = snapshot.totals.endpoints[e];
        std::uint64_t queries = 0, bytes_in = 0, bytes_out = 0;
        for (const auto& [node, routes] : snapshot.totals.routes) {
            queries += routes[e].queries;
            bytes_in += routes[e].bytes_from_client;
            bytes_out += routes[e].bytes_from_server;
        }
        const auto rejected =
            std::accumulate(totals.rejected.begin(), totals.rejected.end(), std::uint64_t{0});
        // Proxy mode's: open sessions that cannot move, and moves to another node so far.
        const auto pinned = open_count(totals.pinned, totals.pinned_ended);
        const auto moved =
            std::accumulate(totals.moves.begin(), totals.moves.end(), std::uint64_t{0});
        html += "<tr>";
        html += cell("<b>" + html_escape(endpoint.name) + "</b>");
        html +=
            cell(html_escape(endpoint.listen.host + ":" + std::to_string(endpoint.listen.port)));
        html += cell(endpoint.route == route_kind::leader ? "leader" : "replicas");
        html +=
            cell(std::to_string(open_count(totals.sessions_started, totals.sessions_ended)), true);
        html += cell(std::to_string(totals.accepted), true);
        html += cell(std::to_string(rejected), true);
        html += cell(std::to_string(pinned), true);
        html += cell(std::to_string(moved), true);
        html += cell(std::to_string(queries), true);
        html += cell(bytes_text(bytes_in), true);
        html += cell(bytes_text(bytes_out), true);
        html += "</tr>\n";
    }
    return html + "</table>\n";
}

std::string events_list(const health_report& health) {
    if (health.recent_events.empty()) return "<p id=\"events\">No topology changes yet.</p>\n";
    std::string html = "<ol id=\"events\" reversed>\n";
    for (auto event = health.recent_events.rbegin(); event != health.recent_events.rend();
         ++event) {
        const auto at = format_utc(event->at);
        html += "<li><time datetime=\"";
        html += at;
        html += "\">";
        html += at;
        html += "</time> ";
        html += html_escape(event->text);
        html += "</li>\n";
    }
    return html + "</ol>\n";
}

}  // namespace

std::string render_status_page(const admin_snapshot& snapshot, const config& cfg,
                               const status_history& history) {
    const auto& health = snapshot.health;
    const auto* leader = health.topology->leader();
    const std::string write_target =
        leader ? verdict(true, html_escape(leader->address.name), "")
               : verdict(false, "", "none") + " (" +
                     html_escape(health.topology->no_write_target_reason) + ")";
    const double uptime =
        std::chrono::duration<double>(snapshot.taken_at.time_since_epoch()).count() -
        snapshot.process.start_time_seconds;
    std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
    html += "<meta http-equiv=\"refresh\" content=\"" +
            std::to_string(status_page_refresh_seconds) + "\">\n";
    html += "<link rel=\"icon\" href=\"data:,\">\n";  // no favicon request
    html += "<title>pgroute status</title>\n<style>" + std::string(style) + "</style>\n";
    html += "</head><body>\n<h1>pgroute</h1>\n<p class=\"summary\">";
    html += "Write target: <b>" + write_target + "</b> &middot; topology: <b>" +
            std::string(health.patroni ? "Patroni" : "static roles") + "</b>, generation " +
            std::to_string(health.topology->generation) + " &middot; leader changes: <b>" +
            std::to_string(health.leader_changes) + "</b> &middot; " +
            std::to_string(snapshot.worker_threads) + " worker thread(s) &middot; up " +
            number(uptime, "%.0f") + " s &middot; at <time>" + format_utc(snapshot.taken_at) +
            "</time></p>\n";
    html += "<h2>Nodes</h2>\n" + nodes_table(snapshot);
    html += "<h2>Endpoints</h2>\n" + endpoints_table(snapshot, cfg);
    html += "<h2>Last " + std::to_string(status_history::window.count()) + " minutes</h2>\n" +
            render_status_charts(history, cfg, snapshot.taken_at, health.patroni);
    html += "<h2>Recent events</h2>\n" + events_list(health);
    html +=
        "<p class=\"summary\">Also: <a href=\"/metrics\">/metrics</a> &middot; "
        "<a href=\"/topology\">/topology</a> &middot; <a href=\"/health\">/health</a> "
        "&middot; <a href=\"/ready\">/ready</a></p>\n</body></html>\n";
    return html;
}

}  // namespace pgroute::proxy
