#include "proxy/app/topology_sources.h"

#include "health/patroni/patroni_source.h"
#include "health/topology/static_source.h"

namespace pgroute::proxy {

health::monitor_config make_monitor_config(const config& cfg, asio::ssl::context* api_tls) {
    const auto& patroni = cfg.patroni.value();
    health::monitor_config out;
    out.timing = patroni.timing;
    out.rules = patroni.rules;
    for (const auto& node : cfg.nodes)
        out.seeds.push_back({node.address, node.api_url});
    out.access.tls = api_tls;
    if (!patroni.api_username.empty()) {
        out.access.authorization =
            health::basic_authorization(patroni.api_username, patroni.api_password);
    }
    return out;
}

std::unique_ptr<health::topology_source> make_topology_source(const config& cfg,
                                                              asio::ssl::context* api_tls,
                                                              const logger& log) {
    if (cfg.patroni) {
        return std::make_unique<health::patroni_source>(
            make_monitor_config(cfg, api_tls), [&log](std::string_view line) { log.info(line); });
    }
    std::vector<health::static_node> nodes;
    for (const auto& node : cfg.nodes)
        nodes.push_back({node.address, node.static_role.value_or(health::node_role::unknown)});
    return std::make_unique<health::static_source>(nodes);
}

}  // namespace pgroute::proxy
