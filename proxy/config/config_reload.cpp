#include "proxy/config/config_reload.h"

#include <string>

namespace pgroute::proxy {

namespace {

std::string address_text(const listen_address& at) {
    return at.host + ":" + std::to_string(at.port);
}

void compare_endpoints(const config& running, const config& next,
                       std::vector<config_problem>& out) {
    // Listening sockets and counters are the running endpoints', in this order.
    if (running.endpoints.size() != next.endpoints.size()) {
        out.push_back({"endpoints", "the number of endpoints changed (" +
                                        std::to_string(running.endpoints.size()) + " running, " +
                                        std::to_string(next.endpoints.size()) + " new)"});
        return;
    }
    for (std::size_t i = 0; i < next.endpoints.size(); ++i) {
        const auto& was = running.endpoints[i];
        const auto& is = next.endpoints[i];
        if (was.name != is.name) {
            out.push_back({"endpoints." + is.name,
                           "endpoint \"" + was.name + "\" became \"" + is.name + "\""});
        }
        if (!(was.listen == is.listen)) {
            out.push_back({"endpoints." + is.name + ".listen",
                           "endpoint \"" + was.name + "\" moved from " + address_text(was.listen) +
                               " to " + address_text(is.listen)});
        }
    }
}

}  // namespace

std::vector<config_problem> new_process_changes(const config& running, const config& next) {
    std::vector<config_problem> out;
    compare_endpoints(running, next, out);
    if (running.threads != next.threads) {
        out.push_back({"threads", "the number of worker threads changed"});
    }
    if (running.level != next.level) {
        out.push_back({"log_level", "log_level changed from " +
                                        std::string(to_string(running.level)) + " to " +
                                        std::string(to_string(next.level))});
    }
    if (running.limits.buffer_size != next.limits.buffer_size) {
        // Every worker's buffer pool hands out buffers of one size.
        out.push_back({"limits.buffer_size", "limits.buffer_size changed"});
    }
    const bool had_admin = running.admin.has_value();
    if (had_admin != next.admin.has_value() ||
        (had_admin && !(running.admin->listen == next.admin->listen))) {
        out.push_back({"admin.listen", "the admin listener changed"});
    }
    // The cancel keys open sessions hold name the instance: peers route them by it.
    const auto id_of = [](const config& cfg) { return cfg.peering ? cfg.peering->id : 0; };
    if (id_of(running) != id_of(next)) {
        out.push_back({"peering.id", "this instance's id changed"});
    }
    if (running.patroni.has_value() != next.patroni.has_value()) {
        out.push_back({"patroni", std::string(running.patroni ? "from Patroni to static roles"
                                                              : "from static roles to Patroni")});
    }
    return out;
}

bool topology_source_changed(const config& running, const config& next) {
    return running.nodes != next.nodes || running.patroni != next.patroni;
}

}  // namespace pgroute::proxy
