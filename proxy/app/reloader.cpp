#include "proxy/app/reloader.h"

#include <future>

#include "proxy/app/generation_setup.h"
#include "proxy/app/topology_sources.h"
#include "proxy/config/config_loader.h"
#include "proxy/config/config_reload.h"

namespace pgroute::proxy {

namespace {

std::string problem_text(const config_problem& problem) {
    return (problem.key.empty() ? "" : problem.key + ": ") + problem.message;
}

// A Patroni source's first round polls every node once, each poll ending by its timeout.
std::chrono::milliseconds first_round_wait(const config& cfg) {
    const auto timeout = cfg.patroni ? cfg.patroni->timing.timeout : std::chrono::milliseconds{0};
    return 2 * timeout + std::chrono::seconds(1);
}

}  // namespace

reloader::reloader(std::string config_path, std::shared_ptr<const generation> running,
                   const std::vector<std::unique_ptr<worker>>& workers, topology_feed& feed,
                   admin_sources* admin, const logger& log)
    : config_path_(std::move(config_path)),
      running_(std::move(running)),
      workers_(workers),
      feed_(feed),
      admin_(admin),
      log_(log) {}

reload_report reloader::refuse(const std::vector<std::string>& problems) {
    std::string text;
    for (const auto& problem : problems) {
        log_.error("reload refused: " + config_path_ + ": " + problem);
        text += config_path_ + ": " + problem + "\n";
    }
    log_.error("reload refused: the running configuration goes on serving");
    return {reload_outcome::refused,
            text + "reload refused: the running configuration goes on serving\n"};
}

reload_report reloader::hand_to_new_process(const std::vector<config_problem>& changes) {
    std::string text;
    for (const auto& change : changes) {
        log_.info("reload: " + config_path_ + ": " + problem_text(change));
        text += config_path_ + ": " + problem_text(change) + "\n";
    }
    const std::string done =
        "reload: this process is built around what changed, so a new pgroute applies the "
        "configuration, as an upgrade does; sessions open here finish here";
    log_.info(done);
    return {reload_outcome::new_process, text + done + "\n"};
}

std::shared_ptr<const config> reloader::running_config() {
    const std::lock_guard hold(lock_);
    return running_->cfg;
}

reload_report reloader::reload() {
    const std::lock_guard hold(lock_);
    log_.info("reloading the configuration from " + config_path_);
    auto loaded = load_config_file(config_path_);
    std::vector<std::string> problems;
    for (const auto& problem : loaded.problems)
        problems.push_back(problem_text(problem));
    if (!problems.empty()) return refuse(problems);

    const auto changes = new_process_changes(*running_->cfg, loaded.cfg);
    const auto cfg = std::make_shared<const config>(std::move(loaded.cfg));
    std::shared_ptr<const generation> next;
    // Also for a new process: TLS files and the auth_file it would fail on are refused here,
    // while this process can still say so.
    try {
        next = make_generation(cfg, running_.get());
    } catch (const std::exception& e) {
        return refuse({e.what()});
    }
    if (!changes.empty()) return hand_to_new_process(changes);
    std::string done = "configuration reloaded from " + config_path_ + ": new sessions use it";
    if (next->auth) {
        done += "; " + std::to_string(next->auth->users.size()) + " user(s) from " +
                cfg->auth.auth_file;
    }
    if (topology_source_changed(*running_->cfg, *cfg)) {
        auto* api_tls = next->tls->patroni_api ? &*next->tls->patroni_api : nullptr;
        const bool in_time = feed_.replace({make_topology_source(*cfg, api_tls, log_), next},
                                           first_round_wait(*cfg));
        done += in_time ? "; the nodes follow the new settings"
                        : "; the nodes follow the new settings once their first poll ends";
    }
    // The answer to a reload means what it says: a client that connects after it is served
    // with the new config. A worker that is stopping may never take it, hence the bound.
    std::vector<std::future<void>> served;
    for (const auto& w : workers_)
        served.push_back(w->serve(next));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (auto& worker_served : served)
        (void)worker_served.wait_until(deadline);
    if (admin_ != nullptr) admin_->set_config(cfg);
    running_ = std::move(next);
    log_.info(done);
    return {reload_outcome::applied, done + "\n"};
}

}  // namespace pgroute::proxy
