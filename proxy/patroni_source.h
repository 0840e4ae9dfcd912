// Runs the Patroni health monitor on a thread of its own and hands every snapshot it builds to
// the workers; the workers decide which of their sessions the change invalidates.
#pragma once

#include <asio/io_context.hpp>
#include <asio/ssl/context.hpp>
#include <functional>
#include <thread>

#include "health/monitor.h"
#include "proxy/config.h"
#include "proxy/logger.h"

namespace pgroute::proxy {

[[nodiscard]] health::MonitorConfig make_monitor_config(const config& cfg,
                                                        asio::ssl::context* api_tls);

class patroni_source {
  public:
    // Runs on the monitor's thread after each round; the monitor's counters may be read there.
    using publish_fn =
        std::function<void(const health::TopologyPtr&, const std::vector<health::TopologyEvent>&,
                           const health::Monitor&)>;

    // `api_tls` (for https api_urls) must outlive this source.
    patroni_source(const config& cfg, asio::ssl::context& api_tls, const logger& log,
                   publish_fn publish);
    patroni_source(const patroni_source&) = delete;
    patroni_source& operator=(const patroni_source&) = delete;
    ~patroni_source();

    void start();
    // Thread-safe; returns once the monitor's thread has ended.
    void stop();

  private:
    asio::io_context io_{1};
    health::Monitor monitor_;
    std::thread thread_;
};

}  // namespace pgroute::proxy
