#include "proxy/app/app.h"

#include <pthread.h>
#include <unistd.h>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

#include "proxy/admin/health_board.h"
#include "proxy/admin/server.h"
#include "proxy/admin/snapshot.h"
#include "proxy/app/generation_setup.h"
#include "proxy/app/reloader.h"
#include "proxy/app/signal_watch.h"
#include "proxy/app/systemd_notify.h"
#include "proxy/app/topology_feed.h"
#include "proxy/app/topology_sources.h"
#include "proxy/app/upgrade_start.h"
#include "proxy/app/upgrade_takeover.h"
#include "proxy/cancel/predecessor_cancels.h"
#include "proxy/cancel/successor_cancels.h"
#include "proxy/session/worker.h"

namespace pgroute::proxy {

namespace {

unsigned thread_count(const config& cfg) {
    if (cfg.threads > 0) return cfg.threads;
    return std::max(1u, std::thread::hardware_concurrency());
}

// POST /drain/NODE and /undrain/NODE; logged as every change of routing is.
drain_report apply_drain(topology_feed& feed, const logger& log, std::string_view node,
                         bool drain) {
    const std::string named = "node \"" + std::string(node) + "\"";
    switch (feed.set_drained(node, drain)) {
        case drain_change::unknown_node:
            return {false, "no node named \"" + std::string(node) + "\"\n"};
        case drain_change::already:
            return {true, named + (drain ? " was drained already\n" : " was not drained\n")};
        case drain_change::done:
            break;
    }
    const std::string done =
        drain ? named +
                    " drained: no new session goes there, and its sessions move (auth.mode "
                    "proxy) or end at their next idle point"
              : named + " is back in routing";
    log.warn(done);
    return {true, done + "\n"};
}

}  // namespace

int run_proxy(const std::shared_ptr<const config>& cfg_ptr, const process_image& image,
              const logger& log) {
    std::signal(SIGPIPE, SIG_IGN);
    // The signal thread's own wake-up, sent by this process only; glibc keeps the realtime
    // signals below SIGRTMIN for itself.
    const int wake_signal = SIGRTMIN;
    const signal_watch signals({SIGINT, SIGTERM, SIGHUP, SIGUSR2, wake_signal});
    const config& cfg = *cfg_ptr;
    // Set by systemd for Type=notify; kept in the environment, which an upgrade's new process
    // inherits and needs once it is the main process.
    const char* notify_socket = std::getenv("NOTIFY_SOCKET");
    const auto tell_systemd = [&log, notify_socket](const std::string& state) {
        if (auto failed = notify_systemd(notify_socket, state); !failed.empty())
            log.warn("cannot notify systemd (" + state + "): " + failed);
    };
    std::atomic<std::uint32_t> client_count{0};
    cancel_keys keys(static_cast<std::uint8_t>(cfg.peering ? cfg.peering->id : 0));
    std::shared_ptr<const generation> first;
    try {
        first = make_generation(cfg_ptr, nullptr);
    } catch (const std::exception& e) {
        log.error(e.what());
        return 1;
    }
    if (first->auth) {
        log.info("auth mode proxy: " + std::to_string(first->auth->users.size()) +
                 " user(s) from " + cfg.auth.auth_file);
    }
    auto* api_tls = first->tls->patroni_api ? &*first->tls->patroni_api : nullptr;
    running_source source{make_topology_source(cfg, api_tls, log), first};
    const auto topology = source.source->initial();
    const bool patroni = source.source->mode() == "patroni";
    const bool topology_changes = source.source->changes();

    const unsigned threads = thread_count(cfg);
    std::optional<takeover> taken = take_over_listeners(cfg, threads, log);
    predecessor_cancels old_process_cancels(taken ? taken->cancels : std::nullopt,
                                            taken ? taken->old_pid : -1);
    std::vector<std::unique_ptr<worker>> workers;
    try {
        for (unsigned i = 0; i < threads; ++i) {
            const worker_shared shared{log, client_count, keys, old_process_cancels};
            workers.push_back(
                std::make_unique<worker>(shared, first, i, topology, topology_changes));
            workers.back()->listen(taken ? taken->by_worker[i] : std::vector<endpoint_listeners>{});
        }
    } catch (const std::exception& e) {
        log.error(e.what());
        return 1;
    }

    health_board board(topology, patroni);
    topology_feed feed(
        std::move(source), [&workers, &board, &log](const health::topology_update& update) {
            for (const auto& event : update.events) {
                const bool serious = event.kind != health::topology_event_kind::joined_read_pool;
                log.log(serious ? log_level::warn : log_level::info, health::describe(event));
            }
            for (auto& w : workers)
                w->publish(update.topology);
            board.publish(update);
        });

    std::vector<const worker_metrics*> counters;
    counters.reserve(workers.size());
    for (const auto& w : workers)
        counters.push_back(&w->metrics());
    admin_sources sources(cfg_ptr, std::move(counters), board);
    reloader reloads(image.config_path, first, workers, feed, cfg.admin ? &sources : nullptr, log);
    std::optional<admin_server> admin;
    // What the new process of an upgrade passes over: keys of sessions that stayed here.
    const cancel_paths kept_sessions_cancels{keys, old_process_cancels, nullptr};
    // The upgrade's timer and pipe, then its cancel channel; kept running while there is no
    // upgrade to wait for.
    asio::io_context control;
    auto control_work = asio::make_work_guard(control);
    upgrade_start upgrades(control, image, log);
    // Once the new process serves on the sockets, this one accepts no more and drains.
    const auto step_back = [&](pid_t successor, int cancels_fd) {
        const auto running = reloads.running_config();
        serve_successor_cancels(control, cancels_fd, kept_sessions_cancels,
                                running->limits.connect_timeout, log);
        const auto drain_timeout = running->limits.drain_timeout;
        log.info("upgrade: the new pgroute (pid " + std::to_string(successor) +
                 ") serves; this one accepts no more and lets its sessions end within " +
                 std::to_string(drain_timeout.count() / 1000) + " s");
        for (auto& w : workers)
            w->retire(drain_timeout);
        if (admin) admin->close();
        tell_systemd("MAINPID=" + std::to_string(successor));
    };
    // From any thread but the control one: runs `task` there and waits for it. Upgrades start
    // there, one at a time, and none once `stopping` is set there.
    const auto on_control = [&control]<typename Task>(Task task) {
        std::packaged_task<std::invoke_result_t<Task>()> job(std::move(task));
        auto done = job.get_future();
        asio::post(control, [&job] { job(); });
        return done.get();
    };
    bool stopping = false;  // control thread only: the workers' sockets may be closing
    // SIGUSR2 on the signal thread, a reload on the signal or the admin thread.
    const auto upgrade = [&] {
        return on_control([&]() -> std::optional<pid_t> {
            if (stopping) {
                log.warn("upgrade refused: this pgroute is stopping");
                return std::nullopt;
            }
            handover sockets;
            for (const auto& w : workers)
                sockets.listeners.insert(sockets.listeners.end(), w->listening_fds().begin(),
                                         w->listening_fds().end());
            if (admin) sockets.admin = admin->listening_fd();
            return upgrades.start(sockets, step_back);
        });
    };
    // SIGHUP's and POST /reload's: what this process cannot apply, a new one does.
    const auto reload = [&] {
        reload_report report = reloads.reload();
        if (report.outcome != reload_outcome::new_process) return report;
        if (const auto pid = upgrade()) {
            report.text += "upgrade: a new pgroute (pid " + std::to_string(*pid) +
                           ") starts with it; the log says when it serves\n";
        } else {
            report.outcome = reload_outcome::refused;
            report.text +=
                "reload refused: no new pgroute could start (the log says why); the "
                "running configuration goes on serving\n";
        }
        return report;
    };
    if (cfg.admin) {
        try {
            admin.emplace(cfg.admin->listen, sources,
                          admin_actions{reload,
                                        [&feed, &log](std::string_view node, bool drain) {
                                            return apply_drain(feed, log, node, drain);
                                        }},
                          log, admin_server_limits{}, taken ? taken->admin : std::nullopt);
        } catch (const std::exception& e) {
            log.error(e.what());
            return 1;
        }
    }
    first.reset();  // the workers and the reloader hold it now

    std::vector<std::thread> running;
    running.reserve(workers.size());
    for (auto& w : workers)
        running.emplace_back([&w] { w->run(); });
    std::string listening;
    for (const auto& ep : cfg.endpoints) {
        listening += " " + ep.name + "=" + ep.listen.host + ":" + std::to_string(ep.listen.port);
    }
    const std::string self = "pgroute (pid " + std::to_string(::getpid()) + ")";
    log.info(self + " listening on" + listening + " with " + std::to_string(threads) +
             " thread(s)");

    feed.start();
    if (admin) {
        admin->start();
        log.info("admin listener on " + cfg.admin->listen.host + ":" +
                 std::to_string(admin->port()) + " (/metrics /topology /health /ready /)");
    }
    // An upgrade's new process is not systemd's main process yet: the old one names it so.
    if (taken) {
        report_serving(*taken, log);
    } else {
        tell_systemd("READY=1");
    }
    std::atomic<bool> finished{false};
    // Started once everything a signal acts on runs; one sent earlier waits, pending. One signal
    // at a time, in the order sent. A SIGTERM lets no upgrade (SIGUSR2's, or a reload's from the
    // admin thread) read the sockets' descriptor numbers once the workers may free them for reuse.
    std::thread signal_thread([&] {
        for (;;) {
            const int signal = signals.next();
            if (finished) return;
            if (signal == wake_signal) continue;
            if (signal == SIGHUP) {
                log.info("received SIGHUP");
                tell_systemd(reloading_state());
                (void)reload();
                tell_systemd("READY=1");
            } else if (signal == SIGUSR2) {
                log.info("received SIGUSR2: upgrading to " + image.executable);
                (void)upgrade();
            } else {
                log.info(std::string("received ") + (signal == SIGINT ? "SIGINT" : "SIGTERM") +
                         ", closing sessions and stopping");
                tell_systemd("STOPPING=1");
                // No reload or upgrade of a process that stops: this thread ends here.
                on_control([&stopping] { stopping = true; });
                for (auto& w : workers)
                    w->stop();
                return;
            }
        }
    });
    std::thread control_thread([&control] { control.run(); });
    for (auto& t : running)
        t.join();
    // Nothing reloads once these are gone: a reload replaces the feed's source. The wake signal
    // ends the signal thread if the workers ended on their own, drained after an upgrade.
    if (admin) admin->stop();
    finished = true;
    ::pthread_kill(signal_thread.native_handle(), wake_signal);
    signal_thread.join();
    control.stop();
    control_thread.join();
    feed.stop();
    log.info(self + " stopped");
    return 0;
}

}  // namespace pgroute::proxy
