// The write load of the failover tests (patroni_failover_test.cpp): writer threads committing
// rows through pgroute's write endpoint while the leader changes, recording what each statement
// ended with and where each row landed, and watches that note when a change seen from outside
// first holds.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/libpq_conn.h"
#include "tests/support/patroni_cluster.h"
#include "tests/support/probe_session.h"

namespace pgroute::test_support {

using steady_clock = std::chrono::steady_clock;

// Longer than pgroute's limits.hold_timeout (30 s): a session held while there is no leader is
// not taken for a hang.
inline constexpr auto statement_timeout = std::chrono::seconds(40);
// Every loop of the load and the watches ends by this, even if a test forgets to stop it.
inline constexpr auto longest_load = std::chrono::seconds(180);
inline constexpr auto pause_between_writes = std::chrono::milliseconds(10);
inline constexpr auto pause_after_error = std::chrono::milliseconds(50);
inline constexpr int writer_threads = 4;

inline double seconds_between(steady_clock::time_point from, steady_clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}

struct write_error {
    double at;  // seconds since the load began
    std::string sqlstate;
    std::string message;
};

struct write_success {
    double at;
    std::string node;
};

// Writer threads committing one row after another through pgroute's write endpoint, half of them
// on a session they keep (reconnecting after an error) and half on a new session per row, each
// recording what every statement ended with.
class write_load {
  public:
    write_load(const patroni_cluster& cluster, std::uint16_t write_port)
        : cluster_(cluster), write_port_(write_port), began_(steady_clock::now()) {
        for (int client = 0; client < writer_threads; ++client) {
            const bool keeps_session = client % 2 == 0;
            clients_.emplace_back([this, client, keeps_session](const std::stop_token& stop) {
                run_client(stop, client, keeps_session);
            });
        }
    }

    void stop() {
        for (auto& client : clients_)
            client.request_stop();
        clients_.clear();  // joins
    }

    [[nodiscard]] steady_clock::time_point began() const { return began_; }
    [[nodiscard]] double now() const { return seconds_between(began_, steady_clock::now()); }

    [[nodiscard]] std::optional<double> first_success_on(const std::string& node,
                                                         double after = 0) const {
        const std::lock_guard lock(mutex_);
        for (const write_success& success : successes_) {
            if (success.node == node && success.at >= after) return success.at;
        }
        return std::nullopt;
    }

    [[nodiscard]] std::optional<double> last_success_on(const std::string& node) const {
        const std::lock_guard lock(mutex_);
        std::optional<double> last;
        for (const write_success& success : successes_) {
            if (success.node == node) last = success.at;
        }
        return last;
    }

    [[nodiscard]] std::vector<write_error> errors() const {
        const std::lock_guard lock(mutex_);
        return errors_;
    }

    [[nodiscard]] std::size_t success_count() const {
        const std::lock_guard lock(mutex_);
        return successes_.size();
    }

  private:
    void run_client(const std::stop_token& stop, int client, bool keeps_session) {
        const std::string insert = "INSERT INTO failover_probe (client, port) VALUES (" +
                                   std::to_string(client) + ", inet_server_port()) RETURNING port";
        probe_session session(proxied_conninfo(write_port_), statement_timeout);
        while (!stop.stop_requested() && steady_clock::now() < began_ + longest_load) {
            try {
                const std::string port = session.run(insert);
                record(write_success{
                    now(), cluster_.node_on_port(static_cast<std::uint16_t>(std::stoi(port)))});
                if (!keeps_session) session.close();
                std::this_thread::sleep_for(pause_between_writes);
            } catch (const pg_error& error) {
                record(write_error{now(), error.sqlstate(), error.what()});
                std::this_thread::sleep_for(pause_after_error);
            }
        }
    }

    void record(write_success success) {
        const std::lock_guard lock(mutex_);
        successes_.push_back(std::move(success));
    }

    void record(write_error error) {
        const std::lock_guard lock(mutex_);
        errors_.push_back(std::move(error));
    }

    const patroni_cluster& cluster_;
    std::uint16_t write_port_;
    steady_clock::time_point began_;
    mutable std::mutex mutex_;
    std::vector<write_success> successes_;
    std::vector<write_error> errors_;
    std::vector<std::jthread> clients_;  // last: joined before the members they use go
};

// Notes when something observed from outside (a Patroni role, a leader key) first holds.
class change_watch {
  public:
    change_watch(std::function<bool()> happened, steady_clock::time_point epoch)
        : thread_([this, happened = std::move(happened), epoch](const std::stop_token& stop) {
              const auto give_up = steady_clock::now() + longest_load;
              while (!stop.stop_requested() && steady_clock::now() < give_up) {
                  if (happened()) {
                      const std::lock_guard lock(mutex_);
                      at_ = seconds_between(epoch, steady_clock::now());
                      return;
                  }
                  std::this_thread::sleep_for(std::chrono::milliseconds(100));
              }
          }) {}

    [[nodiscard]] std::optional<double> at() const {
        const std::lock_guard lock(mutex_);
        return at_;
    }

  private:
    mutable std::mutex mutex_;
    std::optional<double> at_;
    std::jthread thread_;
};

}  // namespace pgroute::test_support
