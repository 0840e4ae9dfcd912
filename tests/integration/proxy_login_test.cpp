// Logging in through pgroute: every authentication method is relayed end to end (the proxy
// holds no passwords), and encryption requests are declined with 'N' so the session goes on.
#include <gtest/gtest.h>

#include <string>

#include "protocol/message_type.h"
#include "tests/integration/proxy_test_cluster.h"
#include "tests/integration/proxy_test_libpq.h"
#include "tests/integration/proxy_test_raw_client.h"

namespace pgroute::test_support {
namespace {

using proxy_login = shared_suite<proxied_cluster>;

void expect_logs_in(const std::string& conninfo, const pg_role& role, bool uses_password) {
    libpq_conn conn(conninfo);
    EXPECT_EQ(conn.exec_scalar("SELECT current_user"), std::string(role.name));
    EXPECT_EQ(PQconnectionUsedPassword(conn.raw()), uses_password ? 1 : 0);
}

void expect_wrong_password_rejected(const proxied_cluster& env, const pg_role& role) {
    for (const auto& conninfo : {env.write_conninfo(role.name, "not the password"),
                                 env.read_conninfo(role.name, "not the password")}) {
        const login_refusal failure = login_failure(conninfo);
        EXPECT_EQ(failure.sqlstate, "28P01") << failure.message;
        EXPECT_NE(failure.message.find("password authentication failed for user \"" +
                                       std::string(role.name) + "\""),
                  std::string::npos)
            << failure.message;
    }
}

// Sends a trust login on `client` and runs one query, proving the session works.
void expect_session_works(raw_client& client) {
    client.send(startup_packet(
        {{"user", std::string(trust_role.name)}, {"database", std::string(test_database)}}));
    const auto greeting = client.read_until_ready();
    ASSERT_EQ(greeting.front().type, protocol::PqMsg_Authentication);
    EXPECT_EQ(greeting.front().body, std::string(4, '\0')) << "AuthenticationOk";

    client.send(query_message("SELECT 'answered'"));
    const auto reply = client.read_until_ready();
    ASSERT_EQ(reply.size(), 4u);  // RowDescription, DataRow, CommandComplete, ReadyForQuery
    EXPECT_EQ(reply[1].type, 'D');
    EXPECT_EQ(first_column(reply[1].body), "answered");
    client.send(terminate_message());
    EXPECT_TRUE(client.closes_without_more_data());
}

TEST_F(proxy_login, TrustUserLogsInWithoutPasswordOnBothPorts) {
    expect_logs_in(env().write_conninfo(trust_role.name), trust_role, false);
    expect_logs_in(env().read_conninfo(trust_role.name), trust_role, false);
}

TEST_F(proxy_login, Md5UserLogsInWithItsPasswordOnBothPorts) {
    expect_logs_in(env().write_conninfo(md5_role.name, md5_role.password), md5_role, true);
    expect_logs_in(env().read_conninfo(md5_role.name, md5_role.password), md5_role, true);
}

TEST_F(proxy_login, ScramUserLogsInWithItsPasswordOnBothPorts) {
    expect_logs_in(env().write_conninfo(scram_role.name, scram_role.password), scram_role, true);
    expect_logs_in(env().read_conninfo(scram_role.name, scram_role.password), scram_role, true);
}

TEST_F(proxy_login, Md5UserWithWrongPasswordIsRejectedWith28P01) {
    expect_wrong_password_rejected(env(), md5_role);
}

TEST_F(proxy_login, ScramUserWithWrongPasswordIsRejectedWith28P01) {
    expect_wrong_password_rejected(env(), scram_role);
}

TEST_F(proxy_login, LibpqWithSslmodePreferFallsBackToAPlainSession) {
    libpq_conn conn(env().write_conninfo() + " sslmode=prefer");
    EXPECT_EQ(PQsslInUse(conn.raw()), 0);
    EXPECT_EQ(conn.exec_scalar("SELECT 'plain'"), "plain");
}

TEST_F(proxy_login, SslRequestIsAnsweredWithExactlyNAndTheSessionContinues) {
    raw_client client(env().ports.write);
    client.send(negotiation_request(protocol::negotiate_ssl_code));
    EXPECT_EQ(client.read_exactly(1), "N");
    EXPECT_TRUE(client.receives_nothing_within(std::chrono::milliseconds(200)));
    expect_session_works(client);
}

TEST_F(proxy_login, GssencRequestIsAnsweredWithExactlyNAndTheSessionContinues) {
    raw_client client(env().ports.read);
    client.send(negotiation_request(protocol::negotiate_gss_code));
    EXPECT_EQ(client.read_exactly(1), "N");
    EXPECT_TRUE(client.receives_nothing_within(std::chrono::milliseconds(200)));
    expect_session_works(client);
}

}  // namespace
}  // namespace pgroute::test_support
