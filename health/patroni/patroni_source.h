// The topology as Patroni reports it: runs the health monitor on a thread of its own and hands
// every round to the publisher, which passes the snapshot to the workers.
#pragma once

#include <asio/io_context.hpp>
#include <thread>

#include "health/patroni/monitor.h"
#include "health/topology/topology_source.h"

namespace pgroute::health {

class PatroniSource final : public TopologySource {
  public:
    // `log` receives the monitor's own lines (poll outcomes, membership), from its thread.
    PatroniSource(MonitorConfig config, Monitor::LogFn log);
    ~PatroniSource() override;

    [[nodiscard]] std::string_view mode() const override { return "patroni"; }
    // Until the first round ends nobody is routed anywhere: a guess could be a second leader.
    [[nodiscard]] TopologyPtr initial() const override;
    void start(PublishFn publish) override;
    void stop() override;

  private:
    asio::io_context io_{1};
    PublishFn publish_;
    Monitor monitor_;
    std::thread thread_;
};

}  // namespace pgroute::health
