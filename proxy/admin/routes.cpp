#include "proxy/admin/routes.h"

#include "proxy/admin/exposition.h"
#include "proxy/admin/metrics_collectable.h"
#include "proxy/admin/status_page.h"
#include "proxy/admin/topology_json.h"

namespace pgroute::proxy {

namespace {

http_response readiness(const admin_sources& sources) {
    const auto topology = sources.board().read().topology;
    if (const auto* leader = topology->leader()) {
        return {200, "text/plain; charset=utf-8",
                "ready: write target " + leader->address.name + "\n"};
    }
    return {503, "text/plain; charset=utf-8",
            "not ready: no write target (" + topology->no_write_target_reason + ")\n"};
}

http_response reload(bool from_loopback, const admin_actions& actions) {
    if (!from_loopback) {
        return {403, "text/plain; charset=utf-8",
                "POST /reload is served only to clients on a loopback address\n"};
    }
    if (!actions.reload) return {404, "text/plain; charset=utf-8", "nothing to reload\n"};
    const reload_report report = actions.reload();
    return {report.applied ? 200 : 400, "text/plain; charset=utf-8", report.text};
}

}  // namespace

http_response answer_admin_request(const http_request& request, bool from_loopback,
                                   const admin_sources& sources, const status_history& history,
                                   const admin_actions& actions) {
    if (request.path == "/reload") {
        if (request.method == "POST") return reload(from_loopback, actions);
        return {405, "text/plain; charset=utf-8", "POST /reload reloads the configuration\n",
                "POST"};
    }
    if (request.method != "GET" && request.method != "HEAD") {
        return {405, "text/plain; charset=utf-8", "only GET and HEAD are served\n", "GET, HEAD"};
    }
    const auto& path = request.path;
    if (path == "/" || path == "/status") {
        return {200, "text/html; charset=utf-8",
                render_status_page(sources.take(), *sources.cfg(), history)};
    }
    if (path == "/metrics") {
        return {200, std::string(exposition_content_type),
                render_metrics(metrics_collectable(sources))};
    }
    if (path == "/topology") {
        return {200, "application/json", render_topology_json(sources.take(), *sources.cfg())};
    }
    if (path == "/health") return {200, "text/plain; charset=utf-8", "ok\n"};
    if (path == "/ready") return readiness(sources);
    return {404, "text/plain; charset=utf-8",
            "not found; try / /metrics /topology /health /ready, or POST /reload\n"};
}

}  // namespace pgroute::proxy
