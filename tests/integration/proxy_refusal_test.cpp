// Clients pgroute cannot serve are told why, as PostgreSQL would tell them: no node for the
// endpoint (57P03), a node that cannot be reached (08006), too many clients (53300).
#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "tests/integration/proxy_test_cluster.h"
#include "tests/integration/proxy_test_libpq.h"
#include "tests/integration/proxy_test_raw_client.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

using proxy_refusals = shared_suite<pg_cluster>;

TEST_F(proxy_refusals, ReadPortWithoutAnyReplicaRefusesWith57P03) {
    const proxy_ports ports = proxy_ports::pick();
    pgroute_process pgroute(
        static_config(env().port(pg_node::primary), {}, ports.write, ports.read),
        {ports.write, ports.read});

    const login_refusal failure =
        login_failure(loopback_conninfo(ports.read, superuser, test_database));
    EXPECT_EQ(failure.sqlstate, "57P03") << failure.message;
    EXPECT_NE(failure.message.find("FATAL"), std::string::npos) << failure.message;

    EXPECT_EQ(libpq_conn(loopback_conninfo(ports.write, superuser, test_database))
                  .exec_scalar("SELECT pg_is_in_recovery()"),
              "f");
    EXPECT_NO_THROW(pgroute.stop());
}

TEST_F(proxy_refusals, UnreachableNodeGives08006NamingTheNode) {
    const std::uint16_t closed_port = free_port();  // nothing listens there
    const proxy_ports ports = proxy_ports::pick();
    pgroute_process pgroute(static_config(closed_port, {}, ports.write, ports.read),
                            {ports.write, ports.read});

    const login_refusal failure =
        login_failure(loopback_conninfo(ports.write, superuser, test_database));
    EXPECT_EQ(failure.sqlstate, "08006") << failure.message;
    EXPECT_NE(
        failure.message.find("node \"primary\" (127.0.0.1:" + std::to_string(closed_port) + ")"),
        std::string::npos)
        << failure.message;
    EXPECT_NO_THROW(pgroute.stop());
}

// A node that takes each connection, reads the StartupMessage and closes without a word, as an old
// leader does when it shuts down between the connect and its answer.
class node_closing_before_answering {
  public:
    node_closing_before_answering() : listener_(::socket(AF_INET, SOCK_STREAM, 0), "socket") {
        sockaddr_in at{};
        at.sin_family = AF_INET;
        at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t size = sizeof at;
        if (::bind(listener_.get(), reinterpret_cast<sockaddr*>(&at), size) != 0 ||
            ::listen(listener_.get(), 4) != 0 ||
            ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&at), &size) != 0) {
            throw std::system_error(errno, std::generic_category(), "listen");
        }
        port_ = ntohs(at.sin_port);
        serving_ = std::thread([this] { serve(); });
    }
    ~node_closing_before_answering() {
        stopping_ = true;
        serving_.join();
    }
    node_closing_before_answering(const node_closing_before_answering&) = delete;
    node_closing_before_answering& operator=(const node_closing_before_answering&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] int startup_packets_read() const { return startup_packets_; }

  private:
    void serve() {
        while (!stopping_) {
            pollfd ready{listener_.get(), POLLIN, 0};
            if (::poll(&ready, 1, 100) != 1) continue;
            const unique_fd connection(::accept(listener_.get(), nullptr, nullptr), "accept");
            pollfd readable{connection.get(), POLLIN, 0};
            char packet[1024];
            if (::poll(&readable, 1, 5'000) == 1 &&
                ::recv(connection.get(), packet, sizeof packet, 0) > 8) {
                ++startup_packets_;
            }
        }
    }

    unique_fd listener_;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_ = false;
    std::atomic<int> startup_packets_ = 0;
    std::thread serving_;
};

// The client hears which node failed and how; no byte of the node's reached it, so it gets
// pgroute's own FATAL (in Patroni mode the session would be routed again within node_wait).
TEST_F(proxy_refusals, NodeClosingBeforeAnsweringGives08006SayingSo) {
    node_closing_before_answering node;
    const proxy_ports ports = proxy_ports::pick();
    pgroute_process pgroute(static_config(node.port(), {}, ports.write, ports.read),
                            {ports.write, ports.read});

    const login_refusal failure =
        login_failure(loopback_conninfo(ports.write, superuser, test_database));
    EXPECT_GE(node.startup_packets_read(), 1);
    EXPECT_EQ(failure.sqlstate, "08006") << failure.message;
    EXPECT_NE(failure.message.find("node \"primary\" (127.0.0.1:" + std::to_string(node.port()) +
                                   "): the node closed the connection before answering"),
              std::string::npos)
        << failure.message;
    EXPECT_NO_THROW(pgroute.stop());
}

// pgroute admitting at most two clients, returned once the bare connects pgroute_process probed
// its ports with no longer count as clients (pgroute logs each of them leaving).
std::unique_ptr<pgroute_process> start_limited_to_two_clients(const pg_cluster& cluster,
                                                              proxy_ports ports) {
    auto pgroute = std::make_unique<pgroute_process>(
        cluster_config(cluster, ports, "limits:\n  max_client_connections: 2\n"),
        std::vector<std::uint16_t>{ports.write, ports.read});
    wait_until([&] { return occurrences(pgroute->log_text(), "client left during startup") >= 2; },
               5s, "pgroute has seen its start-up probes leave");
    return pgroute;
}

// Two clients connected (one per endpoint: the limit is for the whole process); a third is
// refused with FATAL 53300; once one leaves, a new client is admitted. All are closed on return,
// so that the stop that follows has no session in flight (proxy_lifecycle_test's subject).
void expect_third_client_refused_and_fourth_admitted(proxy_ports ports) {
    auto first =
        std::make_unique<libpq_conn>(loopback_conninfo(ports.write, superuser, test_database));
    libpq_conn second(loopback_conninfo(ports.read, superuser, test_database));

    raw_client third(ports.write);
    third.send(startup_packet(
        {{"user", std::string(superuser)}, {"database", std::string(test_database)}}));
    const protocol::parsed_error error = third.read_error();
    EXPECT_EQ(error.severity, "FATAL");
    EXPECT_EQ(error.sqlstate, "53300") << error.message;
    EXPECT_NE(error.message.find("max_client_connections is 2"), std::string::npos)
        << error.message;
    EXPECT_TRUE(third.closes_without_more_data());

    // The limit counts clients that are connected, not clients ever seen. (sslmode=disable: a
    // refusal must be recognisable here, see LibpqClientBeyondTheLimitSees53300.)
    first.reset();
    wait_until(
        [&] {
            try {
                libpq_conn fourth(loopback_conninfo(ports.write, superuser, test_database) +
                                  " sslmode=disable");
                return fourth.exec_scalar("SELECT 1") == "1";
            } catch (const pg_error& refused) {
                if (refused.sqlstate() != "53300") throw;
                return false;
            }
        },
        5s, "a client is admitted once another has left");
    EXPECT_EQ(second.exec_scalar("SELECT 'second still served'"), "second still served");
}

TEST_F(proxy_refusals, ClientBeyondMaxClientConnectionsGets53300) {
    const proxy_ports ports = proxy_ports::pick();
    const auto pgroute = start_limited_to_two_clients(env(), ports);
    expect_third_client_refused_and_fourth_admitted(ports);
    EXPECT_NO_THROW(pgroute->stop());
}

// libpq (15.10 and later) discards any error that arrives in place of the answer to its
// SSLRequest, as unauthenticated. PostgreSQL itself therefore answers the SSLRequest and reads
// the StartupMessage before it reports "too many clients"; a proxy must do the same for libpq
// users (sslmode=prefer is the default) to ever see 53300.
TEST_F(proxy_refusals, LibpqClientBeyondTheLimitSees53300) {
    const proxy_ports ports = proxy_ports::pick();
    const auto pgroute = start_limited_to_two_clients(env(), ports);
    {
        const libpq_conn first(loopback_conninfo(ports.write, superuser, test_database));
        const libpq_conn second(loopback_conninfo(ports.read, superuser, test_database));
        const login_refusal failure =
            login_failure(loopback_conninfo(ports.write, superuser, test_database));
        EXPECT_EQ(failure.sqlstate, "53300") << failure.message;
        EXPECT_NE(failure.message.find("max_client_connections is 2"), std::string::npos)
            << failure.message;
    }
    EXPECT_NO_THROW(pgroute->stop());
}

}  // namespace
}  // namespace pgroute::test_support
