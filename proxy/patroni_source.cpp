#include "proxy/patroni_source.h"

#include <asio/post.hpp>

namespace pgroute::proxy {

health::MonitorConfig make_monitor_config(const config& cfg, asio::ssl::context* api_tls) {
    health::MonitorConfig out;
    for (const auto& node : cfg.nodes)
        out.seeds.push_back({node.address, node.api_url});
    const auto& patroni = cfg.patroni.value();
    out.interval = patroni.interval;
    out.fast_interval = patroni.fast_interval;
    out.timeout = patroni.timeout;
    out.rules.max_lag_bytes = patroni.max_lag_bytes;
    out.rules.max_lag_time = patroni.max_lag_time;
    out.rules.rise = patroni.rise;
    out.rules.fall = patroni.fall;
    out.access.tls = api_tls;
    if (!patroni.api_username.empty()) {
        out.access.authorization =
            health::basic_authorization(patroni.api_username, patroni.api_password);
    }
    return out;
}

patroni_source::patroni_source(const config& cfg, asio::ssl::context& api_tls, const logger& log,
                               publish_fn publish)
    : monitor_(
          io_.get_executor(), make_monitor_config(cfg, &api_tls),
          [this, &log, publish = std::move(publish)](
              const health::TopologyPtr& topology,
              const std::vector<health::TopologyEvent>& events) {
              for (const auto& event : events) {
                  const bool serious = event.kind != health::TopologyEventKind::joined_read_pool;
                  log.log(serious ? log_level::warn : log_level::info, health::describe(event));
              }
              publish(topology, events, monitor_);
          },
          [&log](std::string_view line) { log.info(line); }) {}

patroni_source::~patroni_source() {
    stop();
}

void patroni_source::start() {
    monitor_.start();
    thread_ = std::thread([this] { io_.run(); });
}

void patroni_source::stop() {
    if (!thread_.joinable()) return;
    asio::post(io_, [this] { monitor_.stop(); });
    thread_.join();
}

}  // namespace pgroute::proxy
