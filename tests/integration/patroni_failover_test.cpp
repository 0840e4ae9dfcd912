// pgroute in front of a real Patroni cluster while the leader changes under write load: a planned
// switchover, then a crash (kill -9) of the leader. Each prints the timings it measured.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/integration/patroni_suite.h"
#include "tests/support/libpq_conn.h"
#include "tests/support/patroni_cluster.h"
#include "tests/support/pgroute_process.h"
#include "tests/support/ports.h"
#include "tests/support/probe_session.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;
using steady_clock = std::chrono::steady_clock;

constexpr auto routing_timeout = 30s;
constexpr auto statement_timeout = 10s;
// Every loop of the load and the watches ends by this, even if a test forgets to stop it.
constexpr auto longest_load = 180s;
// Patroni's ttl is 10 s; electing a new leader after a crash takes about that long.
constexpr auto new_leader_write_timeout = 90s;
constexpr auto pause_between_writes = 10ms;
constexpr auto pause_after_error = 50ms;
constexpr int writer_threads = 4;

constexpr std::string_view connect_timed_out = "connecting timed out";  // from libpq_conn
constexpr std::string_view closed_after_fatal = "server closed the connection";

double seconds_between(steady_clock::time_point from, steady_clock::time_point to) {
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
                  std::this_thread::sleep_for(100ms);
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

bool is_hang(const write_error& error) {
    return error.message.find(statement_timed_out) != std::string::npos ||
           error.message.find(connect_timed_out) != std::string::npos;
}

bool is_pgroute_cut(const write_error& error) {
    return error.sqlstate == "08006" &&
           error.message.find("pgroute cut this session") != std::string::npos;
}

// A session on a leader that goes away must end the PostgreSQL way: pgroute's cut (08006), the
// server's own shutdown FATAL (57P01, 57P02, 57P03), or pgroute's 57P03 while there is no leader;
// a bare close is clean only when the FATAL came with it.
bool ends_cleanly(const write_error& error) {
    static const std::set<std::string> clean_states = {"08006", "57P01", "57P02", "57P03"};
    if (clean_states.contains(error.sqlstate)) return true;
    return error.sqlstate.empty() && error.message.find("FATAL") != std::string::npos &&
           error.message.find(closed_after_fatal) != std::string::npos;
}

std::string one_line(std::string text) {
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
}

// pgroute's own messages name itself or the node it speaks for. The first line is the error the
// SQLSTATE belongs to; later lines tell what followed it.
bool written_by_pgroute(const write_error& error) {
    const std::string first_line = error.message.substr(0, error.message.find('\n'));
    return first_line.find("pgroute") != std::string::npos ||
           first_line.find("to node \"") != std::string::npos;
}

// PostgreSQL's own race, seen through HAProxy in the failover drill too: a statement sent just as
// the old leader's backend exits meets a closed socket, and libpq reports the failed send before
// it reads the FATAL waiting for it. Only while the old leader shuts down, and never pgroute's.
bool lost_fatal_to_server_shutdown(const write_error& error, double shutdown_began,
                                   double new_leader_wrote) {
    return error.sqlstate.empty() && !written_by_pgroute(error) &&
           error.message.find("server closed the connection unexpectedly") != std::string::npos &&
           error.at >= shutdown_began && error.at <= new_leader_wrote;
}

void print_errors(const std::vector<write_error>& errors) {
    std::map<std::string, std::vector<const write_error*>> by_kind;
    for (const write_error& error : errors) {
        const std::string origin = written_by_pgroute(error) ? "pgroute" : "the server";
        by_kind[(error.sqlstate.empty() ? "no SQLSTATE" : error.sqlstate) + " from " + origin]
            .push_back(&error);
    }
    std::cout << "  client-visible errors: " << errors.size() << '\n';
    for (const auto& [kind, list] : by_kind) {
        std::cout << "    " << list.size() << " x " << kind << ", first at " << list.front()->at
                  << " s: " << one_line(list.front()->message) << '\n';
    }
}

void print_timing(const std::string& what, std::optional<double> at, double from) {
    std::cout << "  " << std::left << std::setw(50) << what << ' ';
    if (at) {
        std::cout << std::fixed << std::setprecision(2) << *at - from << " s\n";
    } else {
        std::cout << "never\n";
    }
}

bool says_primary(const std::string& patroni_role) {
    return patroni_role == "master" || patroni_role == "primary";
}

class patroni_failover : public patroni_suite {
  protected:
    void SetUp() override {
        patroni_suite::SetUp();
        if (HasFatalFailure()) return;

        const std::vector<std::uint16_t> ports = free_ports(2);
        write_port_ = ports[0];
        pgroute_.emplace(patroni_config(cluster(), {.write_port = ports[0], .read_port = ports[1]}),
                         ports);
        cluster().wait_until_proxy_routes(ports[0], ports[1], routing_timeout);

        libpq_conn setup(cluster().conninfo(leader_, patroni_trust_user));
        setup.exec(
            "SET client_min_messages = warning;"
            "CREATE TABLE IF NOT EXISTS failover_probe (client int, port int)");
    }

    void TearDown() override {
        if (HasFailure() && pgroute_) std::cout << "pgroute's log:\n" << pgroute_->log_text();
    }

    // Starts the load and returns once rows commit on the leader through pgroute.
    [[nodiscard]] std::unique_ptr<write_load> start_write_load() const {
        auto load = std::make_unique<write_load>(cluster(), write_port_);
        wait_until([&] { return load->first_success_on(leader_).has_value(); }, 20s,
                   "the write load commits on " + leader_);
        return load;
    }

    // The new leader took a write, and the old one none after that: never two write targets.
    static void expect_writes_moved(const write_load& load, const std::string& old_leader,
                                    const std::string& new_leader) {
        const std::optional<double> first_new = load.first_success_on(new_leader);
        ASSERT_TRUE(first_new.has_value()) << "no write reached " << new_leader;
        EXPECT_FALSE(load.first_success_on(old_leader, *first_new).has_value())
            << old_leader << " took a write after " << new_leader << " did";
    }

    static void expect_no_write_reached_a_standby(const std::vector<write_error>& errors) {
        for (const write_error& error : errors) {
            EXPECT_NE(error.sqlstate, "25006") << "at " << error.at << " s: " << error.message;
        }
    }

    void expect_new_sessions_reach(const std::string& node) const {
        libpq_conn session(proxied_conninfo(write_port_));
        EXPECT_EQ(session.exec_scalar("SELECT pg_is_in_recovery()"), "f");
        EXPECT_EQ(cluster().node_serving(session), node);
    }

  private:
    std::uint16_t write_port_ = 0;
    std::optional<pgroute_process> pgroute_;
};

// The tests run in this order: the crash leaves the cluster with two nodes.

TEST_F(patroni_failover, SwitchoverUnderWriteLoadEndsSessionsCleanlyAndNeverWritesToAStandby) {
    const std::string old_leader = leader_;
    const std::string candidate = replicas_.front();
    const auto load = start_write_load();

    const change_watch demoted([&] { return !says_primary(cluster().patroni_role(old_leader)); },
                               load->began());
    const change_watch promoted([&] { return says_primary(cluster().patroni_role(candidate)); },
                                load->began());
    const double switchover_at = load->now();
    cluster().switchover(candidate);
    const double patronictl_returned_at = load->now();
    wait_until([&] { return load->first_success_on(candidate).has_value(); },
               new_leader_write_timeout, "a write through pgroute commits on " + candidate);
    std::this_thread::sleep_for(3s);  // the steady state after the switchover, under load
    load->stop();

    const std::vector<write_error> errors = load->errors();
    std::optional<double> first_cut;
    for (const write_error& error : errors) {
        if (is_pgroute_cut(error) && error.at >= switchover_at) {
            first_cut = error.at;
            break;
        }
    }
    const std::optional<double> last_old = load->last_success_on(old_leader);
    const std::optional<double> first_new = load->first_success_on(candidate);
    std::cout << "switchover " << old_leader << " -> " << candidate << " under " << writer_threads
              << " writers, " << load->success_count()
              << " rows committed; seconds since patronictl started:\n";
    print_timing("last write committed on " + old_leader, last_old, switchover_at);
    print_timing(old_leader + "'s /patroni stops saying primary", demoted.at(), switchover_at);
    print_timing("first cut by pgroute (08006)", first_cut, switchover_at);
    print_timing(candidate + "'s /patroni says primary", promoted.at(), switchover_at);
    print_timing("first write committed on " + candidate, first_new, switchover_at);
    print_timing("patronictl returned", patronictl_returned_at, switchover_at);
    print_timing("write outage (last old write to first new)", first_new,
                 last_old.value_or(switchover_at));
    print_errors(errors);

    expect_no_write_reached_a_standby(errors);
    for (const write_error& error : errors) {
        EXPECT_TRUE(ends_cleanly(error) ||
                    lost_fatal_to_server_shutdown(error, switchover_at, first_new.value_or(0)))
            << "at " << error.at << " s, SQLSTATE '" << error.sqlstate << "': " << error.message;
        // A new session waits for the new leader (limits.node_wait, 3 s by default) rather than
        // being refused, or failing on the old leader that already stopped listening: a
        // switchover leaves no leader for well under that.
        EXPECT_EQ(error.message.find("no leader is available"), std::string::npos)
            << "at " << error.at << " s: " << error.message;
        EXPECT_EQ(error.message.find("pgroute could not connect"), std::string::npos)
            << "at " << error.at << " s: " << error.message;
    }
    expect_writes_moved(*load, old_leader, candidate);
    expect_new_sessions_reach(candidate);
}

TEST_F(patroni_failover, LeaderKilledWithSigkillIsReplacedAndWritesReachTheNewLeader) {
    const std::string old_leader = leader_;
    const auto load = start_write_load();

    const double killed_at = load->now();
    EXPECT_EQ(cluster().kill9_leader(), old_leader);
    const change_watch elected(
        [&] {
            const std::optional<std::string> leader = cluster().leader_name();
            return leader && *leader != old_leader;
        },
        load->began());
    std::string new_leader;
    wait_until(
        [&] {
            for (const std::string& replica : replicas_) {
                if (load->first_success_on(replica, killed_at)) new_leader = replica;
            }
            return !new_leader.empty();
        },
        new_leader_write_timeout, "a write through pgroute commits on a new leader");
    std::this_thread::sleep_for(2s);
    load->stop();

    const std::optional<double> last_old = load->last_success_on(old_leader);
    const std::optional<double> first_new = load->first_success_on(new_leader);
    std::cout << "kill -9 of " << old_leader << "'s Patroni and postmaster under " << writer_threads
              << " writers; seconds since the kill:\n";
    print_timing("last write committed on " + old_leader, last_old, killed_at);
    print_timing("Patroni's /cluster names a new leader", elected.at(), killed_at);
    print_timing("first write committed on " + new_leader, first_new, killed_at);
    print_timing("write outage (last old write to first new)", first_new,
                 last_old.value_or(killed_at));
    const std::vector<write_error> errors = load->errors();
    print_errors(errors);

    expect_no_write_reached_a_standby(errors);
    for (const write_error& error : errors) {
        EXPECT_FALSE(is_hang(error)) << "at " << error.at << " s: " << error.message;
    }
    expect_writes_moved(*load, old_leader, new_leader);
    expect_new_sessions_reach(new_leader);
}

}  // namespace
}  // namespace pgroute::test_support
