// Chooses the topology source pgroute.yaml asks for: Patroni's REST API with a `patroni`
// section, the nodes' configured roles without one.
#pragma once

#include <asio/ssl/context.hpp>
#include <memory>

#include "health/patroni/monitor_config.h"
#include "health/topology/topology_source.h"
#include "proxy/config/config.h"
#include "proxy/log/logger.h"

namespace pgroute::proxy {

// Patroni mode only. `api_tls` (for https api_urls) must outlive the monitor.
[[nodiscard]] health::monitor_config make_monitor_config(const config& cfg,
                                                         asio::ssl::context* api_tls);

// `api_tls` is used, and must outlive the source, in Patroni mode only.
[[nodiscard]] std::unique_ptr<health::topology_source> make_topology_source(
    const config& cfg, asio::ssl::context* api_tls, const logger& log);

}  // namespace pgroute::proxy
