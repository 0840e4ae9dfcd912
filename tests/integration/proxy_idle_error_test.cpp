// What a client hears when its session ends while it is idle (the last ReadyForQuery, 'I' or
// inside a transaction, came after its last message): the node's FATAL as PostgreSQL shuts down, or
// pgroute's own error when the node vanishes, held and sent in answer to the client's next message,
// so that it carries its SQLSTATE; a Terminate instead gets nothing; a silent client is closed
// after limits.idle_error_hold; a query in flight hears at once. Each test stops the shared
// cluster's replica (behind the read endpoint) and starts it again.
#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <string>
#include <thread>

#include "tests/integration/proxy_test_cluster.h"
#include "tests/integration/proxy_test_libpq.h"
#include "tests/integration/proxy_test_raw_client.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;
using steady_clock = std::chrono::steady_clock;

using proxy_idle_errors = shared_suite<pg_cluster>;

constexpr std::string_view admin_shutdown_text = "terminating connection due to administrator";

// Starts the replica again when the test ends, however it ends.
class replica_restart {
  public:
    explicit replica_restart(pg_cluster& cluster) : cluster_(cluster) {}
    replica_restart(const replica_restart&) = delete;
    replica_restart& operator=(const replica_restart&) = delete;
    ~replica_restart() {
        try {
            cluster_.start_replica();
        } catch (const std::exception& e) {
            ADD_FAILURE() << "the replica did not come back: " << e.what();
        }
    }

  private:
    pg_cluster& cluster_;
};

struct proxy_in_front {
    explicit proxy_in_front(const pg_cluster& cluster, std::string_view extra_yaml = {})
        : pgroute(cluster_config(cluster, ports, extra_yaml), {ports.write, ports.read}) {}
    proxy_ports ports = proxy_ports::pick();
    pgroute_process pgroute;
};

void log_in_as_trust_role(raw_client& client) {
    client.send(startup_packet(
        {{"user", std::string(trust_role.name)}, {"database", std::string(test_database)}}));
    client.read_until_ready();
}

// Keeps notices (the node's WARNING on an immediate shutdown) off the test's output.
void ignore_notice(void*, const PGresult*) {}

// Stops the replica under a session on the read endpoint that `begin` has run, idle in its
// client's turn, and checks that its next query fails with the node's 57P01.
void expect_next_query_hears_the_shutdown(pg_cluster& cluster, std::string_view begin) {
    const proxy_in_front proxy(cluster);
    libpq_conn session(loopback_conninfo(proxy.ports.read, trust_role.name, test_database));
    if (!begin.empty()) session.exec(std::string(begin));
    EXPECT_EQ(session.exec_scalar("SELECT 1"), "1");
    PQsetNoticeReceiver(session.raw(), &ignore_notice, nullptr);

    cluster.stop_replica();
    const replica_restart restart{cluster};
    read_while_idle(session.raw(), 300ms);
    try {
        (void)exec_keeping_first_error(session.raw(), "SELECT 2", 5s);
        ADD_FAILURE() << "the query on the stopped node succeeded";
    } catch (const pg_error& error) {
        EXPECT_EQ(error.sqlstate(), "57P01") << error.what();
        EXPECT_NE(std::string(error.what()).find(admin_shutdown_text), std::string::npos)
            << error.what();
    }
}

TEST_F(proxy_idle_errors, AnIdleLibpqSessionWhoseNodeShutsDownGets57P01OnItsNextQuery) {
    expect_next_query_hears_the_shutdown(env(), "");
}

// Its transaction cannot be saved, but the client hears so with a SQLSTATE, as its next
// statement's error, not as libpq's "server closed the connection unexpectedly".
TEST_F(proxy_idle_errors, ASessionInATransactionWhoseNodeShutsDownGets57P01OnItsNextQuery) {
    expect_next_query_hears_the_shutdown(env(), "BEGIN");
}

TEST_F(proxy_idle_errors, AnIdleLibpqSessionWhoseNodeVanishesGetsPgroutes08006OnItsNextQuery) {
    const proxy_in_front proxy(env());
    libpq_conn session(loopback_conninfo(proxy.ports.read, trust_role.name, test_database));
    EXPECT_EQ(session.exec_scalar("SELECT 1"), "1");
    PQsetNoticeReceiver(session.raw(), &ignore_notice, nullptr);

    env().kill_replica();  // immediate shutdown: a WARNING, no FATAL, then the close
    const replica_restart restart{env()};
    read_while_idle(session.raw(), 300ms);
    try {
        (void)exec_keeping_first_error(session.raw(), "SELECT 1", 5s);
        ADD_FAILURE() << "the query on the killed node succeeded";
    } catch (const pg_error& error) {
        EXPECT_EQ(error.sqlstate(), "08006") << error.what();
        EXPECT_NE(
            std::string(error.what()).find("node \"replica1\" closed the connection unexpectedly"),
            std::string::npos)
            << error.what();
    }
}

TEST_F(proxy_idle_errors, TheNodesFatalReachesAnIdleClientOnlyInAnswerToItsNextMessage) {
    const proxy_in_front proxy(env());
    raw_client client(proxy.ports.read);
    log_in_as_trust_role(client);

    env().stop_replica();
    const replica_restart restart{env()};
    EXPECT_TRUE(client.receives_nothing_within(500ms));
    client.send(query_message("SELECT 1"));
    const protocol::parsed_error error = client.read_error(2s);
    EXPECT_EQ(error.severity, "FATAL");
    EXPECT_EQ(error.sqlstate, "57P01") << error.message;
    EXPECT_NE(error.message.find(admin_shutdown_text), std::string::npos) << error.message;
    EXPECT_TRUE(client.closes_without_more_data(2s));
}

TEST_F(proxy_idle_errors, AnIdleClientThatSendsTerminateGetsNoBytesAndAClose) {
    const proxy_in_front proxy(env());
    raw_client client(proxy.ports.read);
    log_in_as_trust_role(client);

    env().stop_replica();
    const replica_restart restart{env()};
    EXPECT_TRUE(client.receives_nothing_within(300ms));
    client.send(terminate_message());
    EXPECT_TRUE(client.closes_without_more_data(2s));
}

TEST_F(proxy_idle_errors, ASilentIdleClientIsClosedWithoutAWordAfterIdleErrorHold) {
    const proxy_in_front proxy(env(), "limits: {idle_error_hold: 400ms}\n");
    raw_client client(proxy.ports.read);
    log_in_as_trust_role(client);

    const auto stopping = steady_clock::now();
    env().stop_replica();
    const replica_restart restart{env()};
    EXPECT_TRUE(client.closes_without_more_data(5s));
    EXPECT_GE(steady_clock::now() - stopping, 400ms);
    wait_until(
        [&] {
            return proxy.pgroute.log_text().find("held_error=\"timed out\"") != std::string::npos;
        },
        5s, "pgroute logs the session's end after its hold");
}

TEST_F(proxy_idle_errors, AQueryInFlightWhenTheNodeStopsGetsTheErrorAtOnce) {
    const proxy_in_front proxy(env());
    raw_client client(proxy.ports.read);
    log_in_as_trust_role(client);
    const std::string sleep = "SELECT pg_sleep(60)";
    client.send(query_message(sleep));
    libpq_conn inspector(env().conninfo(pg_node::replica));
    wait_until_running(inspector, sleep, "replica");

    env().stop_replica();
    const replica_restart restart{env()};
    const auto columns = client.read_message(2s);  // sent as the sleep began
    ASSERT_TRUE(columns);
    EXPECT_EQ(columns->type, 'T');
    const protocol::parsed_error error = client.read_error(2s);  // without sending anything more
    EXPECT_EQ(error.sqlstate, "57P01") << error.message;
    EXPECT_TRUE(client.closes_without_more_data(2s));
}

// pgroute's drain cannot wait for the next message of every idle client: they hear at once.
TEST_F(proxy_idle_errors, AHeldErrorGoesOutAtOnceWhenPgrouteShutsDown) {
    proxy_in_front proxy(env());
    raw_client client(proxy.ports.read);
    log_in_as_trust_role(client);

    env().stop_replica();
    const replica_restart restart{env()};
    EXPECT_TRUE(client.receives_nothing_within(300ms));
    const auto shutdown = steady_clock::now();
    EXPECT_NO_THROW(proxy.pgroute.stop());  // throws unless pgroute exits 0
    // Well before the drain's 3 s grace, which a hold left waiting would run out.
    EXPECT_LT(steady_clock::now() - shutdown, 2500ms);
    const protocol::parsed_error error = client.read_error(1s);
    EXPECT_EQ(error.sqlstate, "57P01") << error.message;
    EXPECT_NE(error.message.find(admin_shutdown_text), std::string::npos) << error.message;
    EXPECT_TRUE(client.closes_without_more_data(1s));
}

}  // namespace
}  // namespace pgroute::test_support
