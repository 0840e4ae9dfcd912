#include "proxy/admin/status_charts.h"

#include "proxy/admin/chart_series.h"
#include "proxy/admin/svg_chart.h"

namespace pgroute::proxy {

namespace {

chart_frame frame(std::string id, std::string title, chart_unit unit,
                  std::chrono::system_clock::time_point now) {
    chart_frame f;
    f.id = std::move(id);
    f.title = std::move(title);
    f.unit = unit;
    f.end = now;
    f.span = status_history::window;
    return f;
}

}  // namespace

std::string render_status_charts(const status_history& history, const config& cfg,
                                 std::chrono::system_clock::time_point now, bool patroni) {
    std::vector<std::string> endpoints;
    for (const auto& endpoint : cfg.endpoints)
        endpoints.push_back(endpoint.name);
    const auto markers = topology_markers(history);

    auto lag = frame("chart-lag", "Replica lag", chart_unit::bytes, now);
    // Static roles poll nothing: say so instead of promising data that never comes.
    if (!patroni) lag.empty_text = "no lag with static roles";
    auto qps = frame("chart-qps", "Queries per second", chart_unit::per_second, now);
    auto p99 = frame("chart-p99", "p99 query latency", chart_unit::seconds, now);

    std::string html = "<div class=\"charts\">\n";
    html += render_svg_chart(qps, queries_per_second(history, endpoints), markers) + "\n";
    html += render_svg_chart(p99, p99_latency(history, endpoints), markers) + "\n";
    html += render_svg_chart(lag, replica_lag(history), markers) + "\n";
    html += render_svg_chart(frame("chart-sessions", "Sessions per node", chart_unit::count, now),
                             sessions_per_node(history), markers) +
            "\n";
    html +=
        "</div>\n<p class=\"summary\">Markers: <b class=\"m-leader\">L</b> leader change "
        "&middot; <b class=\"m-cut\">C</b> sessions cut &middot; <b class=\"m-move\">M</b> "
        "sessions moved. A sample every " +
        std::to_string(status_history::sample_interval.count()) +
        " s; hover a marker for its count.</p>\n";
    return html;
}

}  // namespace pgroute::proxy
