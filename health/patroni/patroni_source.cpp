#include "health/patroni/patroni_source.h"

#include <asio/post.hpp>

namespace pgroute::health {

PatroniSource::PatroniSource(MonitorConfig config, Monitor::LogFn log)
    : monitor_(
          io_.get_executor(), std::move(config),
          [this](const TopologyPtr& topology, const std::vector<TopologyEvent>& events) {
              publish_({topology, events, monitor_.status_poll_counts(),
                        monitor_.cluster_poll_counts(), monitor_.status_poll_durations(),
                        std::chrono::system_clock::now()});
          },
          std::move(log)) {}

PatroniSource::~PatroniSource() {
    stop();
}

TopologyPtr PatroniSource::initial() const {
    auto topology = std::make_shared<Topology>();
    topology->no_write_target_reason = "waiting for the first Patroni poll";
    return topology;
}

void PatroniSource::start(PublishFn publish) {
    publish_ = std::move(publish);
    monitor_.start();
    thread_ = std::thread([this] { io_.run(); });
}

void PatroniSource::stop() {
    if (!thread_.joinable()) return;
    asio::post(io_, [this] { monitor_.stop(); });
    thread_.join();
}

}  // namespace pgroute::health
