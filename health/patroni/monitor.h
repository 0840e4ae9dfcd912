// The health loop: every interval (the fast one while there is no leader) it polls GET /patroni on
// all members at once, refreshes membership from GET /cluster, runs the topology rules and
// publishes the snapshot with its events.
// It lives on one executor; call every member function there.
#pragma once

#include <array>
#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "health/patroni/members.h"
#include "health/patroni/monitor_config.h"
#include "health/patroni/task_group.h"
#include "health/topology/poll_duration.h"
#include "health/topology/rules.h"
#include "health/topology/topology_source.h"

namespace pgroute::health {

class patroni_monitor {
  public:
    using publish_fn = std::function<void(const topology_ptr&, const std::vector<topology_event>&)>;
    using log_fn = std::function<void(std::string_view)>;

    // `publish` receives every snapshot with its events (logging those is the publisher's call);
    // `log` receives changes in how polls end and in membership, one line each.
    patroni_monitor(const asio::any_io_executor& executor, monitor_config config,
                    publish_fn publish, log_fn log);
    patroni_monitor(const patroni_monitor&) = delete;
    patroni_monitor& operator=(const patroni_monitor&) = delete;

    // Starts the loop; `on_stopped` runs when it has ended after stop(). Call once. The Monitor
    // must outlive the loop, and its executor's context must outlive the Monitor.
    void start(std::function<void()> on_stopped = {});

    // Cancels the wait between rounds and every request in flight, so the loop ends at once.
    void stop();

    [[nodiscard]] bool running() const { return running_; }
    [[nodiscard]] const topology_ptr& current() const { return state_.previous; }  // null at first
    [[nodiscard]] const std::vector<cluster_member>& members() const { return members_; }

    // GET /patroni outcomes per node name (a node that left keeps its counts).
    [[nodiscard]] const std::map<std::string, poll_counts>& status_poll_counts() const {
        return status_polls_;
    }
    [[nodiscard]] const poll_counts& cluster_poll_counts() const { return cluster_polls_; }
    // How long GET /patroni took per node name, whatever its outcome.
    [[nodiscard]] const std::map<std::string, poll_durations>& status_poll_durations() const {
        return status_poll_durations_;
    }

  private:
    struct node_poll {
        node_observation observation{};
        std::string error{};  // why the poll failed, for the log
        std::chrono::steady_clock::duration elapsed{};
    };

    asio::awaitable<void> run();
    asio::awaitable<void> run_round();
    asio::awaitable<node_poll> poll_node(cluster_member member);
    asio::awaitable<void> refresh_membership(const std::vector<node_poll>& polls);
    void record_status_poll(const node_poll& poll);
    void adopt_members(std::vector<cluster_member> next);

    asio::any_io_executor executor_;
    monitor_config config_;
    publish_fn publish_;
    log_fn log_;
    std::vector<cluster_member> members_;
    hysteresis_state state_;
    asio::steady_timer round_timer_;
    task_group requests_;
    bool running_ = false;
    bool stopping_ = false;
    std::map<std::string, poll_counts> status_polls_;
    std::map<std::string, poll_durations> status_poll_durations_;
    std::map<std::string, poll_outcome> last_status_outcome_;  // to log changes, not every poll
    poll_counts cluster_polls_{};
    poll_outcome last_cluster_outcome_ = poll_outcome::ok;
};

}  // namespace pgroute::health
