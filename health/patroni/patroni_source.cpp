#include "health/patroni/patroni_source.h"

#include <asio/post.hpp>

namespace pgroute::health {

patroni_source::patroni_source(monitor_config config, patroni_monitor::log_fn log)
    : monitor_(
          io_.get_executor(), std::move(config),
          [this](const topology_ptr& topology, const std::vector<topology_event>& events) {
              publish_({topology, events, monitor_.status_poll_counts(),
                        monitor_.cluster_poll_counts(), monitor_.status_poll_durations(),
                        std::chrono::system_clock::now()});
          },
          std::move(log)) {}

patroni_source::~patroni_source() {
    stop();
}

topology_ptr patroni_source::initial() const {
    auto topology = std::make_shared<topology_snapshot>();
    topology->no_write_target_reason = "waiting for the first Patroni poll";
    return topology;
}

void patroni_source::start(publish_fn publish) {
    publish_ = std::move(publish);
    monitor_.start();
    thread_ = std::thread([this] { io_.run(); });
}

void patroni_source::stop() {
    if (!thread_.joinable()) return;
    asio::post(io_, [this] { monitor_.stop(); });
    thread_.join();
}

}  // namespace pgroute::health
