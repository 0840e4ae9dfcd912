// The topology as Patroni reports it: runs the health monitor on a thread of its own and hands
// every round to the publisher, which passes the snapshot to the workers.
#pragma once

#include <asio/io_context.hpp>
#include <thread>

#include "health/patroni/monitor.h"
#include "health/topology/topology_source.h"

namespace pgroute::health {

class patroni_source final : public topology_source {
  public:
    // `log` receives the monitor's own lines (poll outcomes, membership), from its thread.
    patroni_source(monitor_config config, patroni_monitor::log_fn log);
    ~patroni_source() override;

    [[nodiscard]] std::string_view mode() const override { return "patroni"; }
    [[nodiscard]] bool changes() const override { return true; }
    // Until the first round ends nobody is routed anywhere: a guess could be a second leader.
    [[nodiscard]] topology_ptr initial() const override;
    void start(publish_fn publish) override;
    void stop() override;

  private:
    asio::io_context io_{1};
    publish_fn publish_;
    patroni_monitor monitor_;
    std::thread thread_;
};

}  // namespace pgroute::health
