// pgroute's TLS to the nodes (`server_tls`, meaning as libpq's sslmode), proved by what each node
// sees in pg_stat_ssl, and SCRAM channel binding, which no TLS-terminating proxy can relay. The
// suite is proxy_tls_fixture.h.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <string>

#include "tests/integration/proxy_tls_fixture.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

TEST_F(proxy_tls, ServerTlsVerifyFullEncryptsEverySessionToTheNodes) {
    start_pgroute(tls_section(certs()) + server_tls_section("verify-full", certs().ca_cert),
                  {.write = "allow", .read = "allow"});
    for (const std::uint16_t port : {ports_.write, ports_.read}) {
        // The legs are independent: a plaintext client still gets an encrypted node session.
        for (const std::string& client_options :
             {verify_full(certs().ca_cert), std::string("sslmode=disable")}) {
            libpq_conn session(via(port, client_options));
            EXPECT_EQ(node_sees_tls(session), "t") << client_options << "\n" << log();
        }
    }
}

TEST_F(proxy_tls, ServerTlsPreferAndRequireEncryptSessionsToNodesWithSslOn) {
    for (const std::string_view mode : {"prefer", "require"}) {
        start_pgroute(tls_section(certs()) + server_tls_section(mode));
        libpq_conn session(via(ports_.write, "sslmode=require"));
        EXPECT_EQ(node_sees_tls(session), "t") << "server_tls mode " << mode << "\n" << log();
    }
}

TEST_F(proxy_tls, ServerTlsVerifyFullWithTheWrongCaGives08006NamingTheNode) {
    start_pgroute(tls_section(certs()) + server_tls_section("verify-full", certs().other_ca_cert),
                  {.write = "allow", .read = "allow"});
    const std::vector<std::pair<std::uint16_t, std::string>> endpoints = {
        {ports_.write, "primary"}, {ports_.read, "replica1"}};
    for (const auto& [port, node] : endpoints) {
        const login_refusal failure = login_failure(via(port, "sslmode=require"));
        EXPECT_EQ(failure.sqlstate, "08006") << failure.message;
        EXPECT_NE(failure.message.find("FATAL"), std::string::npos) << failure.message;
        EXPECT_NE(failure.message.find("node \"" + node + "\""), std::string::npos)
            << failure.message;
    }
}

// Channel binding (SCRAM-SHA-256-PLUS) binds the client's proof to the certificate of the server
// its TLS session ends at: pgroute's, not the node's (the two differ here). pgroute cannot relay
// such a binding, so it hides the mechanism; a client that requires binding is then refused by
// libpq itself, before it sends a proof (no SQLSTATE: nothing came from a server).
void expect_channel_binding_required_is_refused_by_libpq(std::uint16_t port) {
    const login_refusal refused =
        login_failure(loopback_conninfo(port, scram_role.name, test_database, scram_role.password) +
                      " sslmode=require channel_binding=require");
    EXPECT_EQ(refused.sqlstate, "") << refused.message;
    EXPECT_TRUE(contains_ignoring_case(refused.message, "channel binding")) << refused.message;
}

// With plaintext to the nodes, a node offers no binding, so libpq's default
// channel_binding=prefer settles for plain SCRAM.
TEST_F(proxy_tls, ScramWithoutServerTlsLogsInUnlessTheClientRequiresChannelBinding) {
    start_pgroute(tls_section(certs()), {.write = "allow", .read = "allow"});
    libpq_conn session(via(ports_.write, "sslmode=require", scram_role));
    EXPECT_EQ(session.exec_scalar("SELECT current_user"), std::string(scram_role.name));
    EXPECT_EQ(PQconnectionUsedPassword(session.raw()), 1);
    EXPECT_EQ(PQsslInUse(session.raw()), 1);

    expect_channel_binding_required_is_refused_by_libpq(ports_.write);
}

// With server_tls on, the node speaks TLS itself and supports binding, so it takes a TLS client
// that could bind but believes the server cannot (gs2 flag 'y', what libpq's default
// channel_binding=prefer sends over TLS once PLUS is hidden) for a downgrade attack and refuses
// it. No proxy can mend that: the flag is repeated inside the signed part of the proof. What
// works is a client that does not claim binding at all: channel_binding=disable, or plaintext to
// pgroute. (README, "SCRAM channel binding".)
TEST_F(proxy_tls, ScramThroughServerTlsLogsInOnlyForClientsThatDoNotClaimChannelBinding) {
    start_pgroute(tls_section(certs()) + server_tls_section("verify-full", certs().ca_cert),
                  {.write = "allow", .read = "allow"});
    for (const std::string_view options :
         {"sslmode=require channel_binding=disable", "sslmode=disable"}) {
        try {
            libpq_conn session(via(ports_.write, options, scram_role));
            EXPECT_EQ(session.exec_scalar("SELECT current_user"), std::string(scram_role.name));
            EXPECT_EQ(PQconnectionUsedPassword(session.raw()), 1);
            EXPECT_EQ(node_sees_tls(session), "t");
        } catch (const pg_error& error) {
            ADD_FAILURE() << options << ": " << error.what();
        }
    }

    const login_refusal preferring =
        login_failure(via(ports_.write, "sslmode=require", scram_role));
    EXPECT_NE(preferring.sqlstate, "") << "refused by the node: " << preferring.message;
    EXPECT_NE(preferring.message.find("SCRAM channel binding negotiation error"), std::string::npos)
        << preferring.message;

    expect_channel_binding_required_is_refused_by_libpq(ports_.write);
}

// The node's FATAL that reaches an idle session waits for the client's next message on both TLS
// legs: read from the node's TLS stream, written on the client's.
TEST_F(proxy_tls, AnIdleClientOverTlsHearsItsNodesFatalAtItsNextQuery) {
    start_pgroute(tls_section(certs()) + server_tls_section("verify-full", certs().ca_cert),
                  {.write = "allow", .read = "allow"});
    libpq_conn session(via(ports_.read, "sslmode=require"));
    EXPECT_EQ(node_sees_tls(session), "t");
    env().cluster.stop_replica();
    struct restart_replica {
        pg_cluster& cluster;
        ~restart_replica() {
            try {
                cluster.start_replica();
            } catch (const std::exception& e) {
                ADD_FAILURE() << "the replica did not come back: " << e.what();
            }
        }
    } restart{env().cluster};
    read_while_idle(session.raw(), 300ms);
    EXPECT_EQ(
        sqlstate_thrown_by([&] { (void)exec_keeping_first_error(session.raw(), "SELECT 1", 5s); }),
        "57P01")
        << log();
}

}  // namespace
}  // namespace pgroute::test_support
