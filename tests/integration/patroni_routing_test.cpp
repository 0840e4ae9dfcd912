// pgroute in front of a real Patroni cluster that keeps its leader: where sessions land, how the
// read pool follows replica lag and frozen Patroni APIs, and what a broken Patroni API changes.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/patroni_suite.h"
#include "tests/support/libpq_conn.h"
#include "tests/support/patroni_cluster.h"
#include "tests/support/pgroute_process.h"
#include "tests/support/ports.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text_file.h"
#include "tests/support/unique_fd.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;
using steady_clock = std::chrono::steady_clock;

constexpr auto routing_timeout = 30s;
// fall = 3 polls every 500 ms with a 500 ms timeout: about 2 s; the bound allows a loaded host.
constexpr auto node_down_timeout = 15s;
// rise = 2 polls, plus catching up on the WAL it missed.
constexpr auto node_back_timeout = 30s;

double seconds_since(steady_clock::time_point start) {
    return std::chrono::duration<double>(steady_clock::now() - start).count();
}

// A listening socket on 127.0.0.1 with a port the kernel picked, so no other test can take it.
unique_fd loopback_listener() {
    unique_fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), "socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        listen(fd.get(), 64) != 0) {
        throw std::system_error(errno, std::generic_category(), "bind/listen on 127.0.0.1");
    }
    return fd;
}

std::uint16_t port_of(const unique_fd& listener) {
    sockaddr_in address{};
    socklen_t length = sizeof address;
    getsockname(listener.get(), reinterpret_cast<sockaddr*>(&address), &length);
    return ntohs(address.sin_port);
}

// Connections that reached a listener nobody accepts on.
int pending_connections(const unique_fd& listener) {
    int count = 0;
    for (;;) {
        const int fd = accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) return count;
        close(fd);
        ++count;
    }
}

enum class fake_answer { status_500, garbage, silence };

// Starts like Patroni's answer and stops being JSON.
constexpr std::string_view garbage_body = R"({"role": "master", ]])";

// A Patroni REST API that never works: GET /patroni gets a 500, or a 200 whose body is not JSON,
// or no answer at all.
class fake_patroni_api {
  public:
    fake_patroni_api() : listener_(loopback_listener()), port_(port_of(listener_)) {
        thread_ = std::jthread([this](const std::stop_token& stop) { serve(stop); });
    }

    void answer_with(fake_answer answer) { answer_ = answer; }
    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] int requests() const { return requests_; }

  private:
    struct client_state {
        explicit client_state(unique_fd accepted) : fd(std::move(accepted)) {}
        unique_fd fd;
        std::string request{};
        bool answered = false;
    };

    void serve(const std::stop_token& stop) {
        std::vector<std::unique_ptr<client_state>> clients;
        while (!stop.stop_requested()) {
            std::vector<pollfd> watched{{listener_.get(), POLLIN, 0}};
            for (const auto& client : clients)
                watched.push_back({client->fd.get(), POLLIN, 0});
            if (poll(watched.data(), watched.size(), 50) <= 0) continue;
            for (std::size_t i = clients.size(); i-- > 0;) {
                if (watched[i + 1].revents != 0 && !read_request(*clients[i])) {
                    clients.erase(clients.begin() + static_cast<std::ptrdiff_t>(i));
                }
            }
            if (watched[0].revents & POLLIN) accept_client(clients);
        }
    }

    void accept_client(std::vector<std::unique_ptr<client_state>>& clients) {
        const int fd = accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) clients.push_back(std::make_unique<client_state>(unique_fd(fd, "accept")));
    }

    // False once the connection is done with.
    bool read_request(client_state& client) {
        char buffer[4096];
        const ssize_t n = read(client.fd.get(), buffer, sizeof buffer);
        if (n <= 0) return false;
        if (client.answered) return true;  // silence: swallow whatever else comes
        client.request.append(buffer, static_cast<std::size_t>(n));
        if (client.request.find("\r\n\r\n") == std::string::npos) return true;
        ++requests_;
        client.answered = true;
        switch (answer_.load()) {
            case fake_answer::status_500:
                send_text(client,
                          "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n"
                          "Connection: close\r\n\r\n");
                return false;
            case fake_answer::garbage:
                send_text(client,
                          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                          "Content-Length: " +
                              std::to_string(garbage_body.size()) +
                              "\r\nConnection: close\r\n\r\n" + std::string(garbage_body));
                return false;
            case fake_answer::silence:
                return true;
        }
        return false;
    }

    static void send_text(const client_state& client, std::string_view text) {
        [[maybe_unused]] const ssize_t sent = write(client.fd.get(), text.data(), text.size());
    }

    unique_fd listener_;
    std::uint16_t port_;
    std::atomic<fake_answer> answer_{fake_answer::status_500};
    std::atomic<int> requests_{0};
    std::jthread thread_;  // last: it stops and joins before the members it uses go
};

class patroni_routing : public patroni_suite {
  protected:
    void TearDown() override {
        if (HasFailure() && pgroute_) std::cout << "pgroute's log:\n" << pgroute_->log_text();
    }

    // Starts pgroute in front of the cluster and returns once it routes to all three nodes.
    void start_pgroute(patroni_proxy_settings settings = {}) {
        const std::vector<std::uint16_t> ports = free_ports(2);
        settings.write_port = ports[0];
        settings.read_port = ports[1];
        settings_ = settings;
        pgroute_.emplace(patroni_config(cluster(), settings_), ports);
        cluster().wait_until_proxy_routes(write_port(), read_port(), routing_timeout);
    }

    // Starts pgroute on a config of the test's own, listening on `write_port` and `read_port`.
    void start_pgroute_with(std::string_view yaml, std::uint16_t write_port,
                            std::uint16_t read_port) {
        settings_.write_port = write_port;
        settings_.read_port = read_port;
        pgroute_.emplace(yaml, std::vector<std::uint16_t>{write_port, read_port});
    }

    [[nodiscard]] std::uint16_t write_port() const { return settings_.write_port; }
    [[nodiscard]] std::uint16_t read_port() const { return settings_.read_port; }
    [[nodiscard]] std::string pgroute_log() const { return pgroute_->log_text(); }

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

  private:
    patroni_proxy_settings settings_;
    std::optional<pgroute_process> pgroute_;
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
    start_pgroute();
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
    start_pgroute();
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
    start_pgroute(settings);
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
    start_pgroute();
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

TEST_F(patroni_routing, CutSessionsAreLoggedInOneLineNamingNodeAndReason) {
    patroni_proxy_settings settings;
    settings.threads = 1;  // one worker, so all the cuts form one batch
    start_pgroute(settings);
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
    start_pgroute(settings);

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
