// pgroute in front of a real Patroni cluster that keeps its leader: where sessions land, how the
// read pool follows replica lag and frozen Patroni APIs, and what a broken Patroni API changes.
#include <gtest/gtest.h>

#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/admin_test_client.h"
#include "tests/integration/fake_patroni_api.h"
#include "tests/integration/patroni_pgroute_suite.h"
#include "tests/support/libpq_conn.h"
#include "tests/support/patroni_cluster.h"
#include "tests/support/pgroute_process.h"
#include "tests/support/ports.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text_file.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;
using steady_clock = std::chrono::steady_clock;

// fall = 3 polls every 500 ms with a 500 ms timeout: about 2 s; the bound allows a loaded host.
constexpr auto node_down_timeout = 15s;
// rise = 2 polls, plus catching up on the WAL it missed.
constexpr auto node_back_timeout = 30s;

double seconds_since(steady_clock::time_point start) {
    return std::chrono::duration<double>(steady_clock::now() - start).count();
}

class patroni_routing : public patroni_pgroute_suite {
  protected:
    // Where `count` new read sessions land, by node name; a refused session counts under "".
    [[nodiscard]] std::map<std::string, int> read_landings(int count) const {
        std::map<std::string, int> landed;
        for (int i = 0; i < count; ++i) {
            try {
                ++landed[cluster().node_behind(read_port())];
            } catch (const pg_error&) {
                ++landed[""];
            }
        }
        return landed;
    }

    // `count` new read sessions all land on `node`.
    [[nodiscard]] bool reads_only_reach(const std::string& node, int count) const {
        return read_landings(count) == std::map<std::string, int>{{node, count}};
    }

    [[nodiscard]] bool some_read_reaches(const std::string& node, int attempts) const {
        return read_landings(attempts).contains(node);
    }

    // Read sessions held open, by the node they landed on.
    [[nodiscard]] std::map<std::string, std::vector<std::unique_ptr<libpq_conn>>> open_reads(
        int count) const {
        std::map<std::string, std::vector<std::unique_ptr<libpq_conn>>> sessions;
        for (int i = 0; i < count; ++i) {
            auto session = std::make_unique<libpq_conn>(proxied_conninfo(read_port()));
            const std::string node = cluster().node_serving(*session);
            sessions[node].push_back(std::move(session));
        }
        return sessions;
    }

    void expect_writes_reach_leader() const {
        libpq_conn session(proxied_conninfo(write_port()));
        EXPECT_EQ(session.exec_scalar("SELECT pg_is_in_recovery()"), "f");
        EXPECT_EQ(cluster().node_serving(session), leader_);
    }
};

// The error a held session gets on its next statement, once pgroute has cut it.
struct cut_seen {
    std::string sqlstate;
    std::string message;
};

cut_seen wait_for_cut(libpq_conn& session, std::chrono::milliseconds timeout) {
    cut_seen seen;
    wait_until(
        [&] {
            try {
                (void)exec_keeping_first_error(session.raw(), "SELECT 1", 5s);
                return false;
            } catch (const pg_error& error) {
                seen = {error.sqlstate(), error.what()};
                return true;
            }
        },
        timeout, "the session on the frozen node ends", 100ms);
    return seen;
}

TEST_F(patroni_routing, WriteSessionsLandOnTheLeaderAndCommitThere) {
    start_routing_pgroute();
    libpq_conn setup(proxied_conninfo(write_port()));
    setup.exec("CREATE TABLE IF NOT EXISTS write_probe (port int)");
    for (int i = 0; i < 10; ++i) {
        libpq_conn session(proxied_conninfo(write_port()));
        EXPECT_EQ(session.exec_scalar("SELECT pg_is_in_recovery()"), "f");
        const auto port = session.exec_scalar(
            "INSERT INTO write_probe VALUES (inet_server_port()) RETURNING port");
        EXPECT_EQ(port, std::to_string(cluster().pg_port(leader_)));
    }
}

TEST_F(patroni_routing, ReadSessionsLandOnlyOnReplicasAndReachBoth) {
    start_routing_pgroute();
    std::map<std::string, int> landed;
    for (int i = 0; i < 20; ++i) {
        libpq_conn session(proxied_conninfo(read_port()));
        EXPECT_EQ(session.exec_scalar("SELECT pg_is_in_recovery()"), "t");
        ++landed[cluster().node_serving(session)];
    }
    EXPECT_EQ(landed.size(), 2u) << "reads reached " << landed.size() << " node(s)";
    // Round robin: each worker thread alternates, so neither replica is starved.
    for (const std::string& replica : replicas_) {
        EXPECT_GE(landed[replica], 5) << replica << " got " << landed[replica] << " of 20";
    }
    EXPECT_EQ(landed.count(leader_), 0u);
}

TEST_F(patroni_routing, ReplicaBeyondMaxLagLeavesTheReadPoolAndRejoinsWhenReplayResumes) {
    patroni_proxy_settings settings;
    settings.max_lag = "64kB";
    start_routing_pgroute(settings);
    const std::string& lagging = replicas_[0];
    const std::string& current = replicas_[1];

    // Without it, Patroni 3.0.2 resumes a paused replay on its next loop.
    const maintenance_mode maintenance(cluster());
    wait_until([&] { return cluster().node_sees_maintenance_mode(lagging, true); }, 30s,
               lagging + "'s Patroni sees maintenance mode", 200ms);
    libpq_conn lagging_admin(cluster().conninfo(lagging));
    lagging_admin.exec("SELECT pg_wal_replay_pause()");

    // About 5 MB of WAL, far beyond 64kB.
    libpq_conn writer(cluster().conninfo(leader_, patroni_trust_user));
    writer.exec(
        "CREATE TABLE IF NOT EXISTS lag_probe (id int, pad text);"
        "INSERT INTO lag_probe SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g");
    const auto written = steady_clock::now();

    wait_until([&] { return reads_only_reach(current, 10); }, node_down_timeout,
               "new read sessions land only on " + current);
    std::cout << lagging << " left the read pool " << seconds_since(written)
              << " s after the write\n";
    const std::map<std::string, int> while_lagging = read_landings(20);
    EXPECT_EQ(while_lagging, (std::map<std::string, int>{{current, 20}}));

    lagging_admin.exec("SELECT pg_wal_replay_resume()");
    const auto resumed = steady_clock::now();
    wait_until([&] { return some_read_reaches(lagging, 10); }, node_back_timeout,
               "a new read session lands on " + lagging + " again");
    std::cout << lagging << " rejoined the read pool " << seconds_since(resumed)
              << " s after replay resumed\n";
}

TEST_F(patroni_routing, FrozenReplicaApiCutsItsSessionsAndLeavesTheReadPoolUntilItThaws) {
    start_routing_pgroute();
    const std::string& frozen = replicas_[0];
    const std::string& healthy = replicas_[1];
    auto sessions = open_reads(8);
    ASSERT_GE(sessions[frozen].size(), 2u);
    ASSERT_GE(sessions[healthy].size(), 2u);
    libpq_conn write_session(proxied_conninfo(write_port()));

    {
        const frozen_patroni freeze(cluster(), frozen);
        const auto frozen_at = steady_clock::now();
        for (auto& session : sessions[frozen]) {
            const cut_seen cut = wait_for_cut(*session, node_down_timeout);
            EXPECT_EQ(cut.sqlstate, "08006") << cut.message;
            EXPECT_NE(cut.message.find("pgroute cut this session: node \"" + frozen + "\" is down"),
                      std::string::npos)
                << cut.message;
        }
        std::cout << "sessions on " << frozen << " were cut within " << seconds_since(frozen_at)
                  << " s of freezing its Patroni\n";

        for (auto& session : sessions[healthy]) {
            EXPECT_NO_THROW(session->exec("SELECT 1")) << "a session on " << healthy;
        }
        EXPECT_NO_THROW(write_session.exec("SELECT 1"));
        EXPECT_TRUE(reads_only_reach(healthy, 10));
        expect_writes_reach_leader();
    }

    const auto thawed_at = steady_clock::now();
    wait_until([&] { return some_read_reaches(frozen, 10); }, node_back_timeout,
               "a new read session lands on " + frozen + " after SIGCONT");
    std::cout << frozen << " rejoined the read pool " << seconds_since(thawed_at)
              << " s after SIGCONT\n";
}

// Proxy mode with auth_query: a user auth_file does not list is looked up on the leader. While
// there is none (its Patroni frozen: polls fail, no write target) the lookup waits for one, up
// to limits.hold_timeout, instead of refusing the client at once with 08006; the freeze is
// shorter than Patroni's ttl, so the same leader comes back and the login ends there.
TEST_F(patroni_routing, InProxyModeAnAuthQueryLoginWaitsForTheLeaderInsteadOfBeingRefused) {
    const temp_dir dir("pgroute-auth-wait");
    const auto userlist = dir.path() / "userlist.txt";
    // The nodes trust postgres and trust_user (the routing checks log in as trust_user).
    write_text(userlist, "\"postgres\" \"\"\n\"trust_user\" \"\"\n");
    const std::vector<std::uint16_t> ports = free_ports(3);
    start_pgroute_with(patroni_config(cluster(), {.write_port = ports[0], .read_port = ports[1]}) +
                           "auth:\n  mode: proxy\n  auth_file: " + userlist.string() +
                           "\n  auth_user: postgres\n  auth_cache_ttl: 0s\n" +
                           admin_section(ports[2]),
                       ports[0], ports[1]);
    ASSERT_NO_THROW(cluster().wait_until_proxy_routes(write_port(), read_port(), routing_timeout));
    const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(write_port()) +
                                 " user=scram_user password=scram_pass dbname=pgroute_test"
                                 " connect_timeout=25";
    std::future<std::string> login;
    {
        const frozen_patroni freeze(cluster(), leader_);
        wait_until([&] { return http_get_loopback(ports[2], "/ready").status == 503; },
                   node_down_timeout, "pgroute has no write target");
        login = std::async(std::launch::async, [&] {
            libpq_conn session(conninfo);
            return session.exec_scalar("SELECT current_user").value_or("");
        });
        // Refused, it would be over in milliseconds.
        EXPECT_EQ(login.wait_for(1s), std::future_status::timeout);
    }
    EXPECT_EQ(login.get(), "scram_user");
    EXPECT_NE(pgroute_log().find(" auth_query on node \"" + leader_ + "\": found"),
              std::string::npos);
}

// `pgroute drain NODE` (and undrain) as an operator types it, against this pgroute's listener.
command_result drain_command(std::string_view verb, std::string_view node,
                             std::uint16_t admin_port) {
    return run_command({.argv = {std::string(PGROUTE_BINARY), std::string(verb), std::string(node),
                                 "--url", "http://127.0.0.1:" + std::to_string(admin_port)}},
                       10s);
}

// Before maintenance, in proxy mode: a drained replica gets no new session, and an idle session
// on it moves to the other replica with its settings, its client noticing nothing; undrained, it
// gets sessions again.
TEST_F(patroni_routing, ADrainedReplicaGetsNoNewSessionAndItsIdleSessionsMoveWithTheirSettings) {
    const temp_dir dir("pgroute-drain");
    const auto userlist = dir.path() / "userlist.txt";
    write_text(userlist, "\"postgres\" \"\"\n\"trust_user\" \"\"\n");
    const std::vector<std::uint16_t> ports = free_ports(3);
    start_pgroute_with(patroni_config(cluster(), {.write_port = ports[0], .read_port = ports[1]}) +
                           "auth:\n  mode: proxy\n  auth_file: " + userlist.string() + "\n" +
                           admin_section(ports[2]),
                       ports[0], ports[1]);
    ASSERT_NO_THROW(cluster().wait_until_proxy_routes(write_port(), read_port(), routing_timeout));
    auto sessions = open_reads(6);
    const std::string& drained = replicas_[0];
    const std::string& other = replicas_[1];
    ASSERT_FALSE(sessions[drained].empty());
    libpq_conn& session = *sessions[drained].front();
    session.exec("SET application_name = 'kept across the drain'");

    const auto done = drain_command("drain", drained, ports[2]);
    EXPECT_EQ(done.exit_code, 0) << done.output;
    EXPECT_NE(done.output.find("node \"" + drained + "\" drained"), std::string::npos)
        << done.output;
    wait_until([&] { return cluster().node_serving(session) == other; }, 10s,
               "the idle session on " + drained + " moves to " + other);
    EXPECT_EQ(session.exec_scalar("SHOW application_name"), "kept across the drain");
    EXPECT_TRUE(reads_only_reach(other, 6));
    EXPECT_GE(
        scrape(ports[2], "pgroute_sessions_moved_total{endpoint=\"read\",reason=\"drained\"}"),
        1.0);
    const auto again = drain_command("drain", drained, ports[2]);
    EXPECT_EQ(again.exit_code, 0) << again.output;
    EXPECT_NE(again.output.find("was drained already"), std::string::npos) << again.output;

    const auto undone = drain_command("undrain", drained, ports[2]);
    EXPECT_EQ(undone.exit_code, 0) << undone.output;
    wait_until([&] { return some_read_reaches(drained, 10); }, 10s,
               "a new read session lands on " + drained + " once it is undrained");
    const auto unknown = drain_command("drain", "pg9", ports[2]);
    EXPECT_EQ(unknown.exit_code, 1);
    EXPECT_NE(unknown.output.find("no node named \"pg9\""), std::string::npos) << unknown.output;
}

// In passthrough mode a session cannot move: on a drained node it ends at its next idle point,
// and its client's next statement is answered with why.
TEST_F(patroni_routing, InPassthroughASessionOnADrainedReplicaEndsWithTheReasonAtItsNextStatement) {
    const std::vector<std::uint16_t> ports = free_ports(3);
    start_pgroute_with(patroni_config(cluster(), {.write_port = ports[0], .read_port = ports[1]}) +
                           admin_section(ports[2]),
                       ports[0], ports[1]);
    ASSERT_NO_THROW(cluster().wait_until_proxy_routes(write_port(), read_port(), routing_timeout));
    auto sessions = open_reads(6);
    const std::string& drained = replicas_[1];
    ASSERT_FALSE(sessions[drained].empty());
    // In a transaction: not idle, so it is not cut until the transaction ends.
    libpq_conn& busy = *sessions[drained].front();
    busy.exec("BEGIN");
    const auto done = drain_command("drain", drained, ports[2]);
    ASSERT_EQ(done.exit_code, 0) << done.output;
    wait_until(
        [&] {
            return pgroute_log().find("(drained): node \"" + drained + "\" is drained") !=
                   std::string::npos;
        },
        10s, "pgroute orders the cut of the sessions on " + drained);
    EXPECT_EQ(busy.exec_scalar("SELECT 1"), "1");
    busy.exec("COMMIT");
    const cut_seen seen = wait_for_cut(busy, 10s);
    EXPECT_EQ(seen.sqlstate, "08006");
    EXPECT_NE(seen.message.find("node \"" + drained + "\" is drained by an operator"),
              std::string::npos)
        << seen.message;
}

TEST_F(patroni_routing, CutSessionsAreLoggedInOneLineNamingNodeAndReason) {
    patroni_proxy_settings settings;
    settings.threads = 1;  // one worker, so all the cuts form one batch
    start_routing_pgroute(settings);
    const std::string& frozen = replicas_[0];
    auto sessions = open_reads(8);
    const std::size_t on_frozen = sessions[frozen].size();
    ASSERT_GE(on_frozen, 2u);
    {
        const frozen_patroni freeze(cluster(), frozen);
        for (auto& session : sessions[frozen])
            (void)wait_for_cut(*session, node_down_timeout);
    }

    const std::string log = pgroute_log();
    const std::regex cut_line("cut ([0-9]+) session\\(s\\) on node \"" + frozen +
                              "\" \\(node_lost\\): node \"" + frozen + "\" is down: [^\n]+");
    std::vector<std::string> lines;
    for (auto it = std::sregex_iterator(log.begin(), log.end(), cut_line);
         it != std::sregex_iterator(); ++it) {
        lines.push_back(it->str());
    }
    ASSERT_EQ(lines.size(), 1u) << log;
    EXPECT_NE(lines.front().find("cut " + std::to_string(on_frozen) + " session(s)"),
              std::string::npos)
        << lines.front();
}

TEST_F(patroni_routing, FakePatroniNodeIsNeverRoutedToAndEachKindOfFailureIsLogged) {
    fake_patroni_api fake_api;
    const unique_fd fake_postgres = loopback_listener();  // counts connections, accepts none
    patroni_proxy_settings settings;
    settings.extra_seeds = {
        {"fake", port_of(fake_postgres), "http://127.0.0.1:" + std::to_string(fake_api.port())}};
    start_routing_pgroute(settings);

    const std::vector<std::pair<fake_answer, std::string>> phases = {
        {fake_answer::status_500, "http_error"},
        {fake_answer::garbage, "malformed_json"},
        {fake_answer::silence, "timeout"},
    };
    for (const auto& [answer, outcome] : phases) {
        fake_api.answer_with(answer);
        const std::string logged = "fake: GET /patroni " + outcome;
        wait_until([&] { return pgroute_log().find(logged) != std::string::npos; }, 15s,
                   "pgroute logs \"" + logged + "\"", 100ms);
        expect_writes_reach_leader();
        const std::map<std::string, int> landed = read_landings(10);
        EXPECT_EQ(landed.size(), 2u) << "while the fake API answers with " << outcome;
        for (const std::string& replica : replicas_) {
            EXPECT_TRUE(landed.contains(replica)) << replica << ", fake API: " << outcome;
        }
    }
    EXPECT_GE(fake_api.requests(), 3);
    EXPECT_EQ(pending_connections(fake_postgres), 0) << "pgroute connected to the fake node";
    EXPECT_EQ(pgroute_log().find("node=fake"), std::string::npos);
}

// An haproxy.cfg of the seeds' kind (seed 004: a listen section per role, checking Patroni's REST
// API) for this cluster, through `pgroute migrate-haproxy`: pgroute on its output routes as that
// HAProxy did, writes to the leader and reads to the replicas.
TEST_F(patroni_routing, HaproxyCfgMigratedByMigrateHaproxyRoutesAsHaproxyDid) {
    const std::vector<std::uint16_t> ports = free_ports(2);
    std::string servers;
    for (const std::string_view node : patroni_node_names) {
        servers += "    server " + std::string(node) +
                   " 127.0.0.1:" + std::to_string(cluster().pg_port(node)) + " check port " +
                   std::to_string(cluster().api_port(node)) + "\n";
    }
    const std::string check_timing =
        "    http-check expect status 200\n"
        "    default-server inter 500ms fall 3 rise 2 on-marked-down shutdown-sessions\n";
    const std::string haproxy_cfg =
        "global\n    maxconn 100\n    log stdout format raw local0\n"
        "defaults\n    mode tcp\n    option tcplog\n    timeout connect 5s\n"
        "    timeout check 500ms\n    timeout client 30m\n"
        "listen postgres_write\n    bind 127.0.0.1:" +
        std::to_string(ports[0]) + "\n    option httpchk GET /primary\n" + check_timing + servers +
        "listen postgres_read\n    bind 127.0.0.1:" + std::to_string(ports[1]) +
        "\n    balance roundrobin\n    option httpchk OPTIONS /replica?lag=16MB\n" + check_timing +
        servers;
    const temp_dir dir("pgroute-migrate");
    write_text(dir.path() / "haproxy.cfg", haproxy_cfg);
    const command_result migrated = run_command(
        {.argv = {PGROUTE_BINARY, "migrate-haproxy", (dir.path() / "haproxy.cfg").string()}}, 10s);
    ASSERT_EQ(migrated.exit_code, 0) << migrated.output;
    EXPECT_NE(migrated.output.find("'option tcplog' is not carried"), std::string::npos)
        << migrated.output;

    start_pgroute_with(migrated.output, ports[0], ports[1]);
    cluster().wait_until_proxy_routes(write_port(), read_port(), routing_timeout);
    expect_writes_reach_leader();
    const auto landed = read_landings(10);
    EXPECT_EQ(landed.count(leader_), 0u) << "a read reached the leader";
    EXPECT_EQ(landed.count(""), 0u) << "a read was refused";
    for (const std::string& replica : replicas_)
        EXPECT_TRUE(landed.contains(replica)) << replica;
}

}  // namespace
}  // namespace pgroute::test_support
