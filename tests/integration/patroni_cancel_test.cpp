// CancelRequest through pgroute in front of a real Patroni cluster (a leader, two replicas).
// Clients hold pgroute's cancel keys, never the nodes' own, and a cancel reaches exactly the node
// running the query. A blind TCP balancer sends a
// cancel to whatever node its round robin picks next, so on the read endpoint about half miss.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "protocol/cancel_key.h"
#include "tests/integration/patroni_suite.h"
#include "tests/support/libpq_conn.h"
#include "tests/support/patroni_cluster.h"
#include "tests/support/pgroute_process.h"
#include "tests/support/ports.h"
#include "tests/support/unique_fd.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;
using steady_clock = std::chrono::steady_clock;

constexpr auto cluster_settle_timeout = 90s;
constexpr int cancels_in_a_row = 20;
constexpr std::string_view long_query = "SELECT pg_sleep(30)";
// pg_sleep(30) must end long before its 30 s; the goal is 1 s, the bound allows a loaded
// host. The slowest cancel is printed for the closing note.
constexpr auto cancel_bound = 5s;

// One pgroute for the whole suite: every test only connects through it.
class patroni_cancel : public patroni_suite {
  protected:
    static void SetUpTestSuite() {
        start_cluster({});
        cluster().wait_until_healthy(cluster_settle_timeout);
        const std::vector<std::uint16_t> ports = free_ports(2);
        settings_.write_port = ports[0];
        settings_.read_port = ports[1];
        pgroute_ = std::make_unique<pgroute_process>(patroni_config(cluster(), settings_), ports);
        cluster().wait_until_proxy_routes(settings_.write_port, settings_.read_port,
                                          routing_timeout);
    }
    static void TearDownTestSuite() {
        pgroute_.reset();
        patroni_suite::TearDownTestSuite();
    }

    void SetUp() override {
        ASSERT_NE(pgroute_, nullptr) << "the cluster or pgroute did not start";
        patroni_suite::SetUp();
    }
    void TearDown() override {
        if (HasFailure()) std::cout << "pgroute's log:\n" << pgroute_->log_text();
    }

    // True while `query` runs on `node`, as that node's pg_stat_activity says.
    static bool running_on(const std::string& node, std::string_view query) {
        libpq_conn direct(cluster().conninfo(node));
        return direct.exec_scalar(
                   "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query = $1",
                   {std::string(query)}) == "1";
    }

    // Starts the long query on `session` and returns once its node is running it: a cancel that
    // arrives before then finds the backend idle and is ignored by PostgreSQL itself.
    static std::string start_long_query(libpq_conn& session) {
        std::string node = cluster().node_serving(session);
        if (PQsendQuery(session.raw(), std::string(long_query).c_str()) != 1) {
            throw std::runtime_error(PQerrorMessage(session.raw()));
        }
        wait_until([&] { return running_on(node, long_query); }, 10s,
                   "the long query runs on " + node);
        return node;
    }

    // The SQLSTATE that ends the running query, and how long it took to arrive.
    static std::pair<std::string, steady_clock::duration> outcome_of(libpq_conn& session) {
        const auto started = steady_clock::now();
        std::string sqlstate = "(none)";
        while (PGresult* result = PQgetResult(session.raw())) {
            if (const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE)) sqlstate = state;
            PQclear(result);
        }
        return {sqlstate, steady_clock::now() - started};
    }

    // PQcancel on `cancels_in_a_row` fresh sessions of `port`: each query ends with 57014 well
    // before pg_sleep's 30 s. Returns the slowest cancel, in ms.
    static long cancel_each_time(std::uint16_t port) {
        steady_clock::duration slowest{};
        for (int i = 0; i < cancels_in_a_row; ++i) {
            libpq_conn session(proxied_conninfo(port));
            const std::string node = start_long_query(session);
            const auto sent = steady_clock::now();
            std::unique_ptr<PGcancel, decltype(&PQfreeCancel)> cancel(PQgetCancel(session.raw()),
                                                                      &PQfreeCancel);
            char error[256] = {};
            EXPECT_EQ(PQcancel(cancel.get(), error, sizeof error), 1) << error;
            const auto [sqlstate, waited] = outcome_of(session);
            const auto took = steady_clock::now() - sent;
            EXPECT_EQ(sqlstate, "57014") << "cancel " << i + 1 << " on " << node;
            EXPECT_LT(took, cancel_bound) << "cancel " << i + 1 << " on " << node;
            slowest = std::max(slowest, took);
            if (::testing::Test::HasFailure()) break;
        }
        return std::chrono::duration_cast<std::chrono::milliseconds>(slowest).count();
    }

    static inline patroni_proxy_settings settings_;
    static inline std::unique_ptr<pgroute_process> pgroute_;
};

// Sends raw bytes to 127.0.0.1:port and closes, as a client sending a CancelRequest does.
void send_and_close(std::uint16_t port, const std::string& bytes) {
    unique_fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        throw std::system_error(errno, std::generic_category(), "connect");
    }
    ASSERT_EQ(send(fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
}

TEST_F(patroni_cancel, ReadSessionsOnEitherReplicaAreCanceledEveryTime) {
    const long slowest_ms = cancel_each_time(settings_.read_port);
    std::cout << "read endpoint: " << cancels_in_a_row << " cancels, slowest " << slowest_ms
              << " ms\n";
}

TEST_F(patroni_cancel, WriteSessionsAreCanceledEveryTime) {
    const long slowest_ms = cancel_each_time(settings_.write_port);
    std::cout << "write endpoint: " << cancels_in_a_row << " cancels, slowest " << slowest_ms
              << " ms\n";
}

TEST_F(patroni_cancel, ClientsHoldPgroutesKeyAndAForgedKeyCancelsNothing) {
    libpq_conn session(proxied_conninfo(settings_.read_port));
    const auto real_pid = session.exec_scalar("SELECT pg_backend_pid()");
    const auto handed_out = static_cast<std::uint32_t>(PQbackendPID(session.raw()));
    EXPECT_NE(std::to_string(handed_out), real_pid) << "the client got the node's own key";

    const std::string node = start_long_query(session);
    // The pid pgroute handed out with a guessed secret, and the node's real pid: both forged.
    for (const std::string& secret :
         {std::string(4, '\0'), std::string("\0\0\0\1", 4), std::string(4, '\xff')}) {
        send_and_close(settings_.read_port, protocol::build_cancel_request({handed_out, secret}));
        send_and_close(settings_.write_port,
                       protocol::build_cancel_request(
                           {static_cast<std::uint32_t>(std::stoul(real_pid.value())), secret}));
    }
    wait_until(
        [&] { return pgroute_->log_text().find("cancel request dropped") != std::string::npos; },
        5s, "pgroute logs the dropped cancel requests");
    std::this_thread::sleep_for(1s);
    EXPECT_TRUE(running_on(node, long_query)) << "a forged cancel request reached the query";

    std::unique_ptr<PGcancel, decltype(&PQfreeCancel)> cancel(PQgetCancel(session.raw()),
                                                              &PQfreeCancel);
    char error[256] = {};
    ASSERT_EQ(PQcancel(cancel.get(), error, sizeof error), 1) << error;
    EXPECT_EQ(outcome_of(session).first, "57014");
}

}  // namespace
}  // namespace pgroute::test_support
