// Clients that break the protocol, over raw TCP: each gets a FATAL ErrorResponse with the
// SQLSTATE PostgreSQL itself would send, then the close; and pgroute keeps serving everyone else.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <string>

#include "protocol/message_type.h"
#include "tests/integration/proxy_test_cluster.h"
#include "tests/integration/proxy_test_raw_client.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

class proxy_hostile_input : public shared_suite<proxied_cluster> {
  protected:
    // Every hostile case ends with this: the proxy still serves a well-behaved client.
    void TearDown() override {
        EXPECT_NO_THROW({
            libpq_conn conn(env().write_conninfo());
            EXPECT_EQ(conn.exec_scalar("SELECT 'still serving'"), "still serving");
        });
    }

    static void expect_fatal_then_close(raw_client& client, std::string_view sqlstate) {
        const protocol::parsed_error error = client.read_error();
        EXPECT_EQ(error.severity, "FATAL");
        EXPECT_EQ(error.sqlstate, sqlstate) << error.message;
        EXPECT_TRUE(client.closes_without_more_data());
    }
};

TEST_F(proxy_hostile_input, HttpRequestGetsProtocolViolationAndClose) {
    raw_client client(env().ports.write);
    client.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    expect_fatal_then_close(client, "08P01");
}

TEST_F(proxy_hostile_input, StartupLengthOfTwoGigabytesGetsProtocolViolation) {
    raw_client client(env().ports.write);
    client.send(message_header('\0', 0x7fffffff).substr(1) + std::string(16, 'x'));
    expect_fatal_then_close(client, "08P01");
}

TEST_F(proxy_hostile_input, SevenByteStartupPacketGetsProtocolViolation) {
    raw_client client(env().ports.write);
    client.send(message_header('\0', 7).substr(1) + std::string("\0\3\0", 3));
    expect_fatal_then_close(client, "08P01");
}

TEST_F(proxy_hostile_input, ProtocolVersionTwoGetsFeatureNotSupported) {
    raw_client client(env().ports.write);
    client.send(
        startup_packet({{"user", std::string(superuser)}}, protocol::protocol_version(2, 0)));
    expect_fatal_then_close(client, "0A000");
}

TEST_F(proxy_hostile_input, StartupWithoutUserGetsInvalidAuthorizationSpecification) {
    raw_client client(env().ports.read);
    client.send(startup_packet({{"database", std::string(test_database)}}));
    expect_fatal_then_close(client, "28000");
}

TEST_F(proxy_hostile_input, TwoGigabyteFrameAfterLoginGetsProtocolViolationAndFreesTheBackend) {
    const std::string application = "pgroute_huge_frame_" + std::to_string(::getpid());
    raw_client client(env().ports.write);
    client.send(startup_packet({{"user", std::string(trust_role.name)},
                                {"database", std::string(test_database)},
                                {"application_name", application}}));
    client.read_until_ready();

    libpq_conn direct = env().direct_to_primary();
    const auto backends = [&] {
        return direct.exec_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", {application});
    };
    ASSERT_EQ(backends(), "1");

    client.send(message_header(protocol::PqMsg_Query, 0x7fffffff) + "SELECT 1");
    expect_fatal_then_close(client, "08P01");
    wait_until([&] { return backends() == "0"; }, 10s,
               "the backend of the session that sent a 2 GB frame is gone");
}

TEST_F(proxy_hostile_input, SessionSentOneByteAtATimeWorks) {
    raw_client client(env().ports.write);
    client.send_one_byte_at_a_time(startup_packet(
        {{"user", std::string(superuser)}, {"database", std::string(test_database)}}));
    client.read_until_ready();

    client.send_one_byte_at_a_time(query_message("SELECT 1"));
    const auto reply = client.read_until_ready();
    ASSERT_EQ(reply.size(), 4u);  // RowDescription, DataRow, CommandComplete, ReadyForQuery
    EXPECT_EQ(reply[0].type, 'T');
    EXPECT_EQ(reply[1].type, 'D');
    EXPECT_EQ(first_column(reply[1].body), "1");
    EXPECT_EQ(reply[2].type, 'C');
    EXPECT_EQ(reply[2].body, std::string("SELECT 1\0", 9));

    client.send_one_byte_at_a_time(terminate_message());
    EXPECT_TRUE(client.closes_without_more_data());
}

TEST_F(proxy_hostile_input, SilentClientIsDroppedAfterTheStartupTimeout) {
    const proxy_ports ports = proxy_ports::pick();
    pgroute_process pgroute(
        cluster_config(env().cluster, ports, "limits:\n  startup_timeout: 1s\n"),
        {ports.write, ports.read});
    raw_client silent(ports.write);
    const auto connected = std::chrono::steady_clock::now();
    const protocol::parsed_error error = silent.read_error(5s);
    const std::chrono::duration<double> waited = std::chrono::steady_clock::now() - connected;
    EXPECT_EQ(error.severity, "FATAL");
    EXPECT_EQ(error.sqlstate, "08P01") << error.message;
    EXPECT_GE(waited.count(), 0.9);
    EXPECT_LE(waited.count(), 2.5);
    EXPECT_TRUE(silent.closes_without_more_data());
    std::cout << "silent client dropped after " << waited.count() << " s\n";

    // Closed before the stop: sessions alive at SIGTERM are proxy_lifecycle_test's subject.
    EXPECT_EQ(libpq_conn(loopback_conninfo(ports.write, superuser, test_database))
                  .exec_scalar("SELECT 1"),
              "1");
    EXPECT_NO_THROW(pgroute.stop());
}

}  // namespace
}  // namespace pgroute::test_support
