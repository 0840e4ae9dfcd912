#include "proxy/app.h"

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <atomic>
#include <csignal>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "proxy/admin_health_board.h"
#include "proxy/admin_server.h"
#include "proxy/admin_snapshot.h"
#include "proxy/patroni_source.h"
#include "proxy/static_topology.h"
#include "proxy/worker.h"

namespace pgroute::proxy {

namespace {

// Until the first poll round ends nobody is routed anywhere: a guess could be a second leader.
health::TopologyPtr waiting_for_patroni() {
    auto topology = std::make_shared<health::Topology>();
    topology->no_write_target_reason = "waiting for the first Patroni poll";
    return topology;
}

unsigned thread_count(const config& cfg) {
    if (cfg.threads > 0) return cfg.threads;
    return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

int run_proxy(const config& cfg, const logger& log) {
    std::signal(SIGPIPE, SIG_IGN);
    std::atomic<std::uint32_t> client_count{0};
    cancel_keys keys;
    std::optional<tls_contexts> tls_built;
    try {
        tls_built.emplace(make_tls_contexts(cfg));
    } catch (const std::exception& e) {
        log.error(e.what());
        return 1;
    }
    tls_contexts& tls = *tls_built;
    const auto topology = cfg.patroni ? waiting_for_patroni() : make_static_topology(cfg.nodes);

    std::vector<std::unique_ptr<worker>> workers;
    const unsigned threads = thread_count(cfg);
    try {
        for (unsigned i = 0; i < threads; ++i) {
            workers.push_back(
                std::make_unique<worker>(cfg, log, client_count, keys, tls, i, topology));
            workers.back()->listen();
        }
    } catch (const std::exception& e) {
        log.error(e.what());
        return 1;
    }

    health_board board(topology, cfg.patroni.has_value());
    std::optional<patroni_source> patroni;
    if (cfg.patroni) {
        patroni.emplace(
            cfg, *tls.patroni_api, log,
            [&workers, &board](const health::TopologyPtr& snapshot,
                               const std::vector<health::TopologyEvent>& events,
                               const health::Monitor& monitor) {
                for (auto& w : workers)
                    w->publish(snapshot);
                board.publish({snapshot, events, monitor.status_poll_counts(),
                               monitor.cluster_poll_counts(), monitor.status_poll_durations(),
                               std::chrono::system_clock::now()});
            });
    }

    std::vector<const worker_metrics*> counters;
    for (const auto& w : workers)
        counters.push_back(&w->metrics());
    const admin_sources sources(cfg, std::move(counters), board);
    std::optional<admin_server> admin;
    if (cfg.admin) {
        try {
            admin.emplace(cfg.admin->listen, sources, log);
        } catch (const std::exception& e) {
            log.error(e.what());
            return 1;
        }
    }

    asio::io_context control;
    asio::signal_set signals(control, SIGINT, SIGTERM);
    signals.async_wait([&](std::error_code ec, int signal) {
        if (ec) return;
        log.info(std::string("received ") + (signal == SIGINT ? "SIGINT" : "SIGTERM") +
                 ", closing sessions and stopping");
        for (auto& w : workers)
            w->stop();
    });

    std::vector<std::thread> running;
    for (auto& w : workers)
        running.emplace_back([&w] { w->run(); });
    std::string listening;
    for (const auto& ep : cfg.endpoints) {
        listening += " " + ep.name + "=" + ep.listen.host + ":" + std::to_string(ep.listen.port);
    }
    log.info("pgroute listening on" + listening + " with " + std::to_string(threads) +
             " thread(s)");

    if (patroni) patroni->start();
    if (admin) {
        admin->start();
        log.info("admin listener on " + cfg.admin->listen.host + ":" +
                 std::to_string(admin->port()) + " (/metrics /topology /health /ready /)");
    }
    std::thread control_thread([&control] { control.run(); });
    for (auto& t : running)
        t.join();
    if (admin) admin->stop();
    control.stop();
    control_thread.join();
    log.info("pgroute stopped");
    return 0;
}

}  // namespace pgroute::proxy
