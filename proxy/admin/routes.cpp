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

}  // namespace

http_response answer_admin_request(const http_request& request, const admin_sources& sources,
                                   const status_history& history) {
    if (request.method != "GET" && request.method != "HEAD") {
        return {405, "text/plain; charset=utf-8", "only GET and HEAD are served\n", "GET, HEAD"};
    }
    const auto& path = request.path;
    if (path == "/" || path == "/status") {
        return {200, "text/html; charset=utf-8",
                render_status_page(sources.take(), sources.cfg(), history)};
    }
    if (path == "/metrics") {
        return {200, std::string(exposition_content_type),
                render_metrics(metrics_collectable(sources))};
    }
    if (path == "/topology") {
        return {200, "application/json", render_topology_json(sources.take(), sources.cfg())};
    }
    if (path == "/health") return {200, "text/plain; charset=utf-8", "ok\n"};
    if (path == "/ready") return readiness(sources);
    return {404, "text/plain; charset=utf-8",
            "not found; try / /metrics /topology /health /ready\n"};
}

}  // namespace pgroute::proxy
