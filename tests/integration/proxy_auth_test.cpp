// auth.mode: proxy in front of a real primary + replica (static roles): pgroute authenticates the
// client itself against the verifiers of an auth_file taken from the primary's pg_authid, and
// logs into the node in the client's name. pg_hba makes each node demand the role's own method
// (scram_user by SCRAM, md5_user by md5, trust_user nothing), so a session that runs a query
// proves pgroute logged into the node by that method without the password.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "protocol/authentication.h"
#include "protocol/message_type.h"
#include "tests/integration/proxy_test_cluster.h"
#include "tests/integration/proxy_test_libpq.h"
#include "tests/integration/proxy_test_raw_client.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_certs.h"
#include "tests/support/text_file.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

// A client stalled mid-authentication is refused after this (limits.startup_timeout).
constexpr auto auth_timeout = 2s;

// "user" "secret" lines for the cluster's roles, secrets as the primary stores them; trust_user
// with no password, which pgroute answers with no challenge of its own.
std::string userlist_of(const pg_cluster& cluster) {
    libpq_conn primary(cluster.conninfo(pg_node::primary));
    std::string lines = "\"" + std::string(trust_role.name) + "\" \"\"\n";
    for (const pg_role& role : {md5_role, scram_role}) {
        const auto secret = primary.exec_scalar(
            "SELECT rolpassword FROM pg_authid WHERE rolname = '" + std::string(role.name) + "'");
        lines += "\"" + std::string(role.name) + "\" \"" + secret.value_or("") + "\"\n";
    }
    return lines;
}

// pgroute offers TLS with a certificate of the test CA: a client that asks for it gets
// SCRAM-SHA-256-PLUS bound to that certificate.
struct proxy_auth_cluster {
    pg_cluster cluster;
    temp_dir dir{"pgroute-auth"};
    test_certs certs = make_test_certs(dir.path());
    std::filesystem::path userlist = write_userlist();
    proxy_ports ports = proxy_ports::pick();
    pgroute_process pgroute{
        cluster_config(cluster, ports,
                       "auth:\n  mode: proxy\n  auth_file: " + userlist.string() +
                           "\nlimits:\n  startup_timeout: 2s\ntls:\n  cert_file: " +
                           certs.server_cert.string() +
                           "\n  key_file: " + certs.server_key.string() + "\n"),
        {ports.write, ports.read}};

    std::filesystem::path write_userlist() {
        auto path = dir.path() / "userlist.txt";
        write_text(path, userlist_of(cluster));
        return path;
    }
    [[nodiscard]] std::string conninfo(std::uint16_t port, std::string_view user,
                                       std::string_view password = {}) const {
        return loopback_conninfo(port, user, test_database, password);
    }
};

using proxy_auth = shared_suite<proxy_auth_cluster>;

void expect_logs_in(const std::string& conninfo, const pg_role& role, bool uses_password) {
    libpq_conn conn(conninfo);
    EXPECT_EQ(conn.exec_scalar("SELECT current_user"), std::string(role.name));
    EXPECT_EQ(conn.exec_scalar("SELECT 6 * 7"), "42");
    EXPECT_EQ(PQconnectionUsedPassword(conn.raw()), uses_password ? 1 : 0);
}

void expect_password_failed(const login_refusal& failure, std::string_view user) {
    EXPECT_EQ(failure.sqlstate, "28P01") << failure.message;
    EXPECT_NE(failure.message.find("password authentication failed for user \"" +
                                   std::string(user) + "\""),
              std::string::npos)
        << failure.message;
}

// The server-first message pgroute answers `user`'s SCRAM client-first with.
std::string server_first_for(std::uint16_t port, const std::string& user) {
    raw_client client(port);
    client.send(startup_packet({{"user", user}, {"database", std::string(test_database)}}));
    const auto offer = client.read_message();
    if (!offer || offer->type != protocol::PqMsg_Authentication) return "no AuthenticationSASL";
    client.send(protocol::build_sasl_initial_response("SCRAM-SHA-256", "n,,n=,r=clientnonce"));
    const auto challenge = client.read_message();
    if (!challenge) return "no answer";
    const auto parsed = protocol::parse_authentication(challenge->body);
    if (!parsed) return "malformed answer";
    const std::string first(parsed->data);
    // r=<client nonce><server nonce>,s=<salt>,i=<iterations>: the nonce is new every time.
    return first.substr(first.find(",s="));
}

TEST_F(proxy_auth, ScramUserLogsInAndPgrouteLogsIntoTheNodeByScram) {
    expect_logs_in(env().conninfo(env().ports.write, scram_role.name, scram_role.password),
                   scram_role, true);
    expect_logs_in(env().conninfo(env().ports.read, scram_role.name, scram_role.password),
                   scram_role, true);
}

// libpq's channel_binding=require succeeds only through SCRAM-SHA-256-PLUS, bound here to
// pgroute's certificate (the node's is another one, and pgroute's login to it is plaintext).
TEST_F(proxy_auth, ChannelBindingRequireWorksThroughPgroutesTls) {
    const std::string conninfo =
        env().conninfo(env().ports.write, scram_role.name, scram_role.password) +
        " sslmode=require channel_binding=require";
    libpq_conn conn(conninfo);
    EXPECT_EQ(PQsslInUse(conn.raw()), 1);
    EXPECT_EQ(conn.exec_scalar("SELECT current_user"), std::string(scram_role.name));
    // Without TLS there is nothing to bind to: libpq refuses, as it would with PostgreSQL.
    const login_refusal plain =
        login_failure(env().conninfo(env().ports.write, scram_role.name, scram_role.password) +
                      " sslmode=disable channel_binding=require");
    EXPECT_NE(plain.message.find("channel binding"), std::string::npos) << plain.message;
}

TEST_F(proxy_auth, ScramUserLogsInWithoutTlsToo) {
    expect_logs_in(env().conninfo(env().ports.write, scram_role.name, scram_role.password) +
                       " sslmode=disable",
                   scram_role, true);
}

TEST_F(proxy_auth, Md5UserLogsInAndPgrouteLogsIntoTheNodeByMd5) {
    expect_logs_in(env().conninfo(env().ports.write, md5_role.name, md5_role.password), md5_role,
                   true);
}

TEST_F(proxy_auth, UserWithoutAPasswordIsAskedForNoneAndTheNodeTrustsIt) {
    expect_logs_in(env().conninfo(env().ports.write, trust_role.name), trust_role, false);
}

TEST_F(proxy_auth, WrongPasswordsAreRefusedWith28P01) {
    expect_password_failed(
        login_failure(env().conninfo(env().ports.write, scram_role.name, "not the password")),
        scram_role.name);
    expect_password_failed(
        login_failure(env().conninfo(env().ports.write, md5_role.name, "not the password")),
        md5_role.name);
}

TEST_F(proxy_auth, AnUnknownUserLooksLikeAWrongPassword) {
    expect_password_failed(login_failure(env().conninfo(env().ports.write, "nobody", "secret")),
                           "nobody");
    // The superuser is trusted by the nodes but absent from the auth_file: pgroute, not the
    // node, decides.
    expect_password_failed(login_failure(env().conninfo(env().ports.write, superuser, "any")),
                           superuser);
    // The same SCRAM challenge shape as a real user's, and the same salt every time it asks.
    const std::string real = server_first_for(env().ports.write, std::string(scram_role.name));
    const std::string unknown = server_first_for(env().ports.write, "nobody");
    EXPECT_NE(real.find(",i=4096"), std::string::npos) << real;
    EXPECT_NE(unknown.find(",i=4096"), std::string::npos) << unknown;
    EXPECT_EQ(real.size(), unknown.size()) << real << " / " << unknown;
    EXPECT_EQ(server_first_for(env().ports.write, "nobody"), unknown);
    EXPECT_EQ(server_first_for(env().ports.write, std::string(scram_role.name)), real);
}

TEST_F(proxy_auth, TheNodesOwnRefusalReachesTheClient) {
    const login_refusal failure = login_failure(
        loopback_conninfo(env().ports.write, scram_role.name, "no_such_db", scram_role.password));
    EXPECT_EQ(failure.sqlstate, "3D000") << failure.message;
    EXPECT_NE(failure.message.find("\"no_such_db\" does not exist"), std::string::npos)
        << failure.message;
}

TEST_F(proxy_auth, AMalformedSaslMessageIs08P01) {
    raw_client client(env().ports.write);
    client.send(startup_packet(
        {{"user", std::string(scram_role.name)}, {"database", std::string(test_database)}}));
    const auto offer = client.read_message();
    ASSERT_TRUE(offer.has_value());
    const auto parsed = protocol::parse_authentication(offer->body);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->mechanisms, std::vector<std::string_view>{"SCRAM-SHA-256"});
    // A length that runs past the message.
    client.send(message_header(protocol::PqMsg_PasswordMessage, 4 + 14 + 4 + 1) +
                std::string("SCRAM-SHA-256\0\0\0\0\x09x", 19));
    const auto error = client.read_error();
    EXPECT_EQ(error.sqlstate, "08P01") << error.message;
    EXPECT_TRUE(client.closes_without_more_data());
}

TEST_F(proxy_auth, AClientThatStallsMidAuthenticationIsRefusedAtStartupTimeout) {
    raw_client client(env().ports.write);
    client.send(startup_packet(
        {{"user", std::string(scram_role.name)}, {"database", std::string(test_database)}}));
    ASSERT_TRUE(client.read_message().has_value());  // AuthenticationSASL
    const auto asked = std::chrono::steady_clock::now();
    const auto error = client.read_error(auth_timeout + 10s);
    EXPECT_GE(std::chrono::steady_clock::now() - asked, auth_timeout - 100ms);
    EXPECT_EQ(error.sqlstate, "08P01") << error.message;
    EXPECT_NE(error.message.find("timeout"), std::string::npos) << error.message;
}

TEST_F(proxy_auth, CheckModeNamesTheLineOfAMalformedAuthFile) {
    const temp_dir dir("pgroute-auth-check");
    write_text(dir.path() / "userlist.txt", "\"a\" \"b\"\n\"unterminated\n");
    write_text(dir.path() / "pgroute.yaml",
               cluster_config(env().cluster, proxy_ports::pick(),
                              "auth:\n  mode: proxy\n  auth_file: " +
                                  (dir.path() / "userlist.txt").string() + "\n"));
    const command_result checked = run_command(
        {.argv = {PGROUTE_BINARY, "--check", "-c", (dir.path() / "pgroute.yaml").string()}}, 10s);
    EXPECT_EQ(checked.exit_code, 1) << checked.output;
    EXPECT_NE(checked.output.find("userlist.txt: line 2: "), std::string::npos) << checked.output;
}

}  // namespace
}  // namespace pgroute::test_support
