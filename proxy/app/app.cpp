#include "proxy/app/app.h"

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <atomic>
#include <csignal>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "proxy/admin/health_board.h"
#include "proxy/admin/server.h"
#include "proxy/admin/snapshot.h"
#include "proxy/app/auth_setup.h"
#include "proxy/app/topology_sources.h"
#include "proxy/session/worker.h"

namespace pgroute::proxy {

namespace {

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
    std::optional<proxy_auth> auth;
    if (cfg.auth.mode == auth_mode::proxy) {
        try {
            auth.emplace(make_proxy_auth(cfg.auth, tls.clients ? &*tls.clients : nullptr));
        } catch (const std::exception& e) {
            log.error(e.what());
            return 1;
        }
        log.info("auth mode proxy: " + std::to_string(auth->users.size()) + " user(s) from " +
                 cfg.auth.auth_file);
    }
    const auto source =
        make_topology_source(cfg, tls.patroni_api ? &*tls.patroni_api : nullptr, log);
    const auto topology = source->initial();

    std::vector<std::unique_ptr<worker>> workers;
    const unsigned threads = thread_count(cfg);
    try {
        for (unsigned i = 0; i < threads; ++i) {
            workers.push_back(std::make_unique<worker>(
                worker_shared{cfg, log, client_count, keys, tls, auth ? &*auth : nullptr}, i,
                topology, source->changes()));
            workers.back()->listen();
        }
    } catch (const std::exception& e) {
        log.error(e.what());
        return 1;
    }

    health_board board(topology, source->mode() == "patroni");
    const auto publish = [&workers, &board, &log](const health::topology_update& update) {
        for (const auto& event : update.events) {
            const bool serious = event.kind != health::topology_event_kind::joined_read_pool;
            log.log(serious ? log_level::warn : log_level::info, health::describe(event));
        }
        for (auto& w : workers)
            w->publish(update.topology);
        board.publish(update);
    };

    std::vector<const worker_metrics*> counters;
    counters.reserve(workers.size());
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
    asio::signal_set signals(control, SIGINT, SIGTERM, SIGHUP);
    std::function<void(std::error_code, int)> on_signal = [&](std::error_code ec, int signal) {
        if (ec) return;
        if (signal == SIGHUP) {
            // `systemctl reload` sends it: until pgroute can reload, it must not end the process
            // and every session with it, as SIGHUP's default action would.
            log.warn("received SIGHUP: configuration reload is not supported yet, ignored");
            signals.async_wait(on_signal);
            return;
        }
        log.info(std::string("received ") + (signal == SIGINT ? "SIGINT" : "SIGTERM") +
                 ", closing sessions and stopping");
        for (auto& w : workers)
            w->stop();
    };
    signals.async_wait(on_signal);

    std::vector<std::thread> running;
    running.reserve(workers.size());
    for (auto& w : workers)
        running.emplace_back([&w] { w->run(); });
    std::string listening;
    for (const auto& ep : cfg.endpoints) {
        listening += " " + ep.name + "=" + ep.listen.host + ":" + std::to_string(ep.listen.port);
    }
    log.info("pgroute listening on" + listening + " with " + std::to_string(threads) +
             " thread(s)");

    source->start(publish);
    if (admin) {
        admin->start();
        log.info("admin listener on " + cfg.admin->listen.host + ":" +
                 std::to_string(admin->port()) + " (/metrics /topology /health /ready /)");
    }
    std::thread control_thread([&control] { control.run(); });
    for (auto& t : running)
        t.join();
    source->stop();
    if (admin) admin->stop();
    control.stop();
    control_thread.join();
    log.info("pgroute stopped");
    return 0;
}

}  // namespace pgroute::proxy
