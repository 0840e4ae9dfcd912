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

constexpr std::string_view text_type = "text/plain; charset=utf-8";

// An action (POST) on the process: only from a loopback client.
template <typename Act>
http_response act(const http_request& request, bool from_loopback, std::string_view what,
                  Act action) {
    if (request.method != "POST") {
        return {405, std::string(text_type),
                "POST " + std::string(request.path) + " " + std::string(what) + "\n", "POST"};
    }
    if (!from_loopback) {
        return {403, std::string(text_type),
                "POST " + std::string(request.path) +
                    " is served only to clients on a loopback address\n"};
    }
    return action();
}

http_response reload(const admin_actions& actions) {
    if (!actions.reload) return {404, std::string(text_type), "nothing to reload\n"};
    const reload_report report = actions.reload();
    // 202: the new process applies it once it serves, which the log tells.
    const int status = report.outcome == reload_outcome::applied       ? 200
                       : report.outcome == reload_outcome::new_process ? 202
                                                                       : 400;
    return {status, std::string(text_type), report.text};
}

http_response drain(const admin_actions& actions, std::string_view node, bool drained) {
    if (!actions.drain || node.empty() || node.find('/') != std::string_view::npos) {
        return {404, std::string(text_type), "no node named \"" + std::string(node) + "\"\n"};
    }
    const drain_report report = actions.drain(node, drained);
    return {report.known ? 200 : 404, std::string(text_type), report.text};
}

}  // namespace

http_response answer_admin_request(const http_request& request, bool from_loopback,
                                   const admin_sources& sources, const status_history& history,
                                   const admin_actions& actions) {
    constexpr std::string_view drain_prefix = "/drain/";
    constexpr std::string_view undrain_prefix = "/undrain/";
    if (request.path == "/reload") {
        return act(request, from_loopback, "reloads the configuration",
                   [&] { return reload(actions); });
    }
    if (request.path.starts_with(drain_prefix)) {
        return act(request, from_loopback, "takes the node out of routing",
                   [&] { return drain(actions, request.path.substr(drain_prefix.size()), true); });
    }
    if (request.path.starts_with(undrain_prefix)) {
        return act(request, from_loopback, "puts the drained node back into routing", [&] {
            return drain(actions, request.path.substr(undrain_prefix.size()), false);
        });
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
            "not found; try / /metrics /topology /health /ready, or POST /reload /drain/NODE "
            "/undrain/NODE\n"};
}

}  // namespace pgroute::proxy
