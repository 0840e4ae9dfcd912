// pgroute's TLS on both legs: to its clients (pgroute's own certificate; endpoint `tls: disable |
// allow | require`) and to the nodes (`server_tls`, meaning as libpq's sslmode). The nodes run
// ssl = on with a certificate of the same test CA, so that each node can say (pg_stat_ssl)
// whether pgroute's session to it is encrypted; that is the proof of the second leg.
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/message_type.h"
#include "tests/integration/proxy_test_cluster.h"
#include "tests/integration/proxy_test_libpq.h"
#include "tests/integration/proxy_test_raw_client.h"
#include "tests/support/test_certs.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

// The certificates first: the cluster's nodes start with theirs.
struct tls_cluster {
    temp_dir cert_dir{"pgroute-certs"};
    test_certs certs = make_test_certs(cert_dir.path());
    pg_cluster cluster{pg_cluster_options{
        .tls = pg_server_tls{.cert_file = certs.node_cert, .key_file = certs.node_key}}};
};

// pgroute's `tls:` section: its own certificate and, when given, the CA that client
// certificates must chain to.
std::string tls_section(const test_certs& certs, const std::filesystem::path& client_ca = {}) {
    std::string yaml = "tls:\n  cert_file: " + certs.server_cert.string() +
                       "\n  key_file: " + certs.server_key.string() + "\n";
    if (!client_ca.empty()) yaml += "  ca_file: " + client_ca.string() + "\n";
    return yaml;
}

std::string server_tls_section(std::string_view mode, const std::filesystem::path& ca_file = {}) {
    std::string yaml = "server_tls:\n  mode: " + std::string(mode) + "\n";
    if (!ca_file.empty()) yaml += "  ca_file: " + ca_file.string() + "\n";
    return yaml;
}

// libpq options that accept only a server certificate that chains to `root` and names
// 127.0.0.1 (the host connected to).
std::string verify_full(const std::filesystem::path& root) {
    return "sslmode=verify-full sslrootcert='" + root.string() + "'";
}

// Whether the node serving `session` sees that session encrypted: "t" or "f". Through pgroute,
// the session the node sees is pgroute's, so this shows the pgroute -> node leg.
std::optional<std::string> node_sees_tls(libpq_conn& session) {
    return session.exec_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
}

bool contains_ignoring_case(std::string_view text, std::string_view needle) {
    const auto lower = [](std::string_view s) {
        std::string out(s);
        std::transform(out.begin(), out.end(), out.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return out;
    };
    return lower(text).find(lower(needle)) != std::string::npos;
}

// The outcome of a TLS handshake driven by the test itself with OpenSSL, on a socket where
// pgroute has just answered 'S': for what libpq cannot be made to do (offer only TLS 1.1).
struct handshake_result {
    bool ok = false;
    std::string version;  // "TLSv1.2", ... when ok
    std::string error;    // OpenSSL's reason when not
};

handshake_result tls_handshake(int fd, int min_version, int max_version, int security_level) {
    // A blocking handshake, bounded: a pgroute that never answers fails the test, not hangs it.
    const timeval timeout{.tv_sec = 10, .tv_usec = 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);

    const std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(
        SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
    if (!context) throw std::runtime_error("SSL_CTX_new failed");
    SSL_CTX_set_security_level(context.get(), security_level);
    SSL_CTX_set_min_proto_version(context.get(), min_version);
    SSL_CTX_set_max_proto_version(context.get(), max_version);
    const std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(context.get()), &SSL_free);
    if (!ssl || SSL_set_fd(ssl.get(), fd) != 1) throw std::runtime_error("SSL_new failed");

    ERR_clear_error();
    if (SSL_connect(ssl.get()) == 1)
        return {.ok = true, .version = SSL_get_version(ssl.get()), .error = {}};
    char reason[256] = "no OpenSSL error queued (the peer closed?)";
    if (const unsigned long code = ERR_get_error(); code != 0) {
        ERR_error_string_n(code, reason, sizeof reason);
    }
    return {.ok = false, .version = {}, .error = reason};
}

// Each test starts its own pgroute (milliseconds) in front of the shared cluster, with the TLS
// settings it is about, and stops it at the end: a clean exit on SIGTERM is part of the contract.
class proxy_tls : public shared_suite<tls_cluster> {
  protected:
    void TearDown() override {
        if (pgroute_) {
            EXPECT_NO_THROW(pgroute_->stop());
        }
    }

    [[nodiscard]] static const test_certs& certs() { return env().certs; }
    [[nodiscard]] static const pg_cluster& cluster() { return env().cluster; }

    // `extra_yaml` holds the top-level sections (tls:, server_tls:, limits:). A pgroute this
    // test started before is stopped first: the new one takes over its ports.
    pgroute_process& start_pgroute(std::string_view extra_yaml, endpoint_tls endpoint_tls = {}) {
        if (pgroute_) {
            EXPECT_NO_THROW(pgroute_->stop());
            pgroute_.reset();
        }
        pgroute_ = std::make_unique<pgroute_process>(
            static_config(cluster().port(pg_node::primary), {cluster().port(pg_node::replica)},
                          ports_.write, ports_.read, extra_yaml, endpoint_tls),
            std::vector<std::uint16_t>{ports_.write, ports_.read});
        return *pgroute_;
    }

    // Through pgroute's `port` as `role` (with its password), with libpq `options` appended.
    [[nodiscard]] static std::string via(std::uint16_t port, std::string_view options,
                                         const pg_role& role = trust_role) {
        return loopback_conninfo(port, role.name, test_database, role.password) + " " +
               std::string(options);
    }

    [[nodiscard]] std::string log() const { return pgroute_ ? pgroute_->log_text() : ""; }

    const proxy_ports ports_ = proxy_ports::pick();

  private:
    std::unique_ptr<pgroute_process> pgroute_;
};

// The premise of every test below: the nodes themselves speak TLS with a certificate that the
// test CA verifies for 127.0.0.1, and that the other CA does not; and they offer channel binding,
// so that a client of pgroute that is not offered it sees pgroute's doing, not the node's.
TEST_F(proxy_tls, NodesThemselvesAcceptVerifyFullWithTheTestCa) {
    for (const pg_node node : {pg_node::primary, pg_node::replica}) {
        libpq_conn direct(cluster().conninfo(node) + " " + verify_full(certs().ca_cert));
        EXPECT_EQ(PQsslInUse(direct.raw()), 1);
        EXPECT_EQ(node_sees_tls(direct), "t");

        libpq_conn bound(
            cluster().conninfo(node, scram_role.name, test_database, scram_role.password) +
            " sslmode=require channel_binding=require");
        EXPECT_EQ(bound.exec_scalar("SELECT current_user"), std::string(scram_role.name));

        const login_refusal failure =
            login_failure(cluster().conninfo(node) + " " + verify_full(certs().other_ca_cert));
        EXPECT_TRUE(contains_ignoring_case(failure.message, "certificate verify failed"))
            << failure.message;
    }
}

TEST_F(proxy_tls, AllowEndpointServesSslmodeRequireOverTlsWithAPlaintextLegToTheNode) {
    start_pgroute(tls_section(certs()), {.write = "allow", .read = "allow"});
    for (const std::uint16_t port : {ports_.write, ports_.read}) {
        libpq_conn session(via(port, "sslmode=require"));
        EXPECT_EQ(PQsslInUse(session.raw()), 1);
        EXPECT_EQ(session.exec_scalar("SELECT 'over tls'"), "over tls");
        // No server_tls section: pgroute reaches the node in plaintext, and the node knows.
        EXPECT_EQ(node_sees_tls(session), "f");
    }
}

TEST_F(proxy_tls, AllowEndpointStillServesPlaintextClients) {
    start_pgroute(tls_section(certs()), {.write = "allow", .read = "allow"});
    for (const std::uint16_t port : {ports_.write, ports_.read}) {
        libpq_conn session(via(port, "sslmode=disable"));
        EXPECT_EQ(PQsslInUse(session.raw()), 0);
        EXPECT_EQ(session.exec_scalar("SELECT 'plain'"), "plain");
    }
}

TEST_F(proxy_tls, EndpointsDefaultToAllowWhenATlsSectionExists) {
    start_pgroute(tls_section(certs()));
    for (const std::uint16_t port : {ports_.write, ports_.read}) {
        libpq_conn encrypted(via(port, "sslmode=require"));
        EXPECT_EQ(PQsslInUse(encrypted.raw()), 1);
        libpq_conn plain(via(port, "sslmode=disable"));
        EXPECT_EQ(PQsslInUse(plain.raw()), 0);
    }
}

TEST_F(proxy_tls, VerifyFullAcceptsPgroutesCertificateFor127001AndOnlyFromTheTestCa) {
    start_pgroute(tls_section(certs()), {.write = "allow", .read = "allow"});
    libpq_conn verified(via(ports_.write, verify_full(certs().ca_cert)));
    EXPECT_EQ(PQsslInUse(verified.raw()), 1);
    EXPECT_EQ(verified.exec_scalar("SELECT 'verified'"), "verified");

    // pgroute really offers the certificate of its configuration, not just any certificate.
    const login_refusal failure =
        login_failure(via(ports_.write, verify_full(certs().other_ca_cert)));
    EXPECT_TRUE(contains_ignoring_case(failure.message, "certificate verify failed"))
        << failure.message;
}

TEST_F(proxy_tls, Tls12IsAcceptedAndTls11IsNot) {
    start_pgroute(tls_section(certs()), {.write = "allow", .read = "allow"});
    libpq_conn tls12(via(ports_.write, "sslmode=require ssl_max_protocol_version=TLSv1.2"));
    EXPECT_STREQ(PQsslAttribute(tls12.raw(), "protocol"), "TLSv1.2");

    // Security level 0, so that our own OpenSSL is willing to speak TLS 1.1 at all.
    raw_client client(ports_.write);
    client.send(negotiation_request(protocol::negotiate_ssl_code));
    ASSERT_EQ(client.read_exactly(1), "S");
    const handshake_result tls11 =
        tls_handshake(client.native_handle(), TLS1_1_VERSION, TLS1_1_VERSION, 0);
    EXPECT_FALSE(tls11.ok) << "pgroute agreed to " << tls11.version;

    libpq_conn after(via(ports_.write, "sslmode=require"));
    EXPECT_EQ(PQsslInUse(after.raw()), 1);
}

TEST_F(proxy_tls, SslRequestIsAnsweredWithExactlySThenTheHandshake) {
    start_pgroute(tls_section(certs()), {.write = "allow", .read = "allow"});
    raw_client client(ports_.read);
    client.send(negotiation_request(protocol::negotiate_ssl_code));
    EXPECT_EQ(client.read_exactly(1), "S");
    // The ServerHello comes only after the client's ClientHello; before, not a byte.
    EXPECT_TRUE(client.receives_nothing_within(200ms));
    const handshake_result handshake = tls_handshake(client.native_handle(), TLS1_2_VERSION, 0, 1);
    EXPECT_TRUE(handshake.ok) << handshake.error;
}

TEST_F(proxy_tls, DisableEndpointAnswersNSoSslmodeRequireFailsAndPreferIsPlain) {
    start_pgroute(tls_section(certs()), {.write = "disable", .read = "allow"});
    raw_client client(ports_.write);
    client.send(negotiation_request(protocol::negotiate_ssl_code));
    EXPECT_EQ(client.read_exactly(1), "N");

    const login_refusal refused = login_failure(via(ports_.write, "sslmode=require"));
    EXPECT_EQ(refused.sqlstate, "") << "libpq itself gives up: " << refused.message;
    EXPECT_TRUE(contains_ignoring_case(refused.message, "server does not support SSL"))
        << refused.message;

    libpq_conn plain(via(ports_.write, "sslmode=prefer"));
    EXPECT_EQ(PQsslInUse(plain.raw()), 0);
    EXPECT_EQ(plain.exec_scalar("SELECT 'plain'"), "plain");

    // The other endpoint of the same pgroute keeps its own mode.
    libpq_conn encrypted(via(ports_.read, "sslmode=require"));
    EXPECT_EQ(PQsslInUse(encrypted.raw()), 1);
}

TEST_F(proxy_tls, EndpointsDefaultToDisableWithoutATlsSection) {
    start_pgroute("");
    for (const std::uint16_t port : {ports_.write, ports_.read}) {
        const login_refusal refused = login_failure(via(port, "sslmode=require"));
        EXPECT_TRUE(contains_ignoring_case(refused.message, "server does not support SSL"))
            << refused.message;
        libpq_conn plain(via(port, "sslmode=prefer"));
        EXPECT_EQ(PQsslInUse(plain.raw()), 0);
    }
}

TEST_F(proxy_tls, RequireEndpointRefusesAPlaintextClientWith28000AndKeepsServing) {
    start_pgroute(tls_section(certs()), {.write = "require", .read = "allow"});

    const login_refusal refused = login_failure(via(ports_.write, "sslmode=disable"));
    EXPECT_EQ(refused.sqlstate, "28000") << refused.message;
    EXPECT_NE(refused.message.find("FATAL"), std::string::npos) << refused.message;
    EXPECT_TRUE(contains_ignoring_case(refused.message, "TLS")) << refused.message;

    // The same refusal on the wire: one FATAL ErrorResponse, then the close.
    raw_client raw(ports_.write);
    raw.send(startup_packet(
        {{"user", std::string(trust_role.name)}, {"database", std::string(test_database)}}));
    const protocol::parsed_error error = raw.read_error();
    EXPECT_EQ(error.severity, "FATAL");
    EXPECT_EQ(error.sqlstate, "28000") << error.message;
    EXPECT_TRUE(raw.closes_without_more_data());

    libpq_conn encrypted(via(ports_.write, "sslmode=require"));
    EXPECT_EQ(PQsslInUse(encrypted.raw()), 1);
    EXPECT_EQ(encrypted.exec_scalar("SELECT 'still serving'"), "still serving");
    // sslmode=prefer (libpq's default) is encrypted there too, so it logs in.
    libpq_conn preferring(via(ports_.write, "sslmode=prefer"));
    EXPECT_EQ(PQsslInUse(preferring.raw()), 1);
}

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

TEST_F(proxy_tls, GarbageInsteadOfAClientHelloIsClosedAndPgrouteServesOthers) {
    start_pgroute(tls_section(certs()), {.write = "allow", .read = "allow"});
    raw_client client(ports_.write);
    client.send(negotiation_request(protocol::negotiate_ssl_code));
    ASSERT_EQ(client.read_exactly(1), "S");
    client.send("hello\n");
    // At most a TLS alert comes back, and soon: the startup timeout is 10 s.
    EXPECT_TRUE(client.closes_after_at_most(1024, 5s));

    libpq_conn encrypted(via(ports_.write, "sslmode=require"));
    EXPECT_EQ(encrypted.exec_scalar("SELECT 'still serving'"), "still serving");
    libpq_conn plain(via(ports_.write, "sslmode=disable"));
    EXPECT_EQ(plain.exec_scalar("SELECT 'still serving'"), "still serving");
}

// A client that asks for TLS and then never starts the handshake holds a connection like a
// client that never sends its startup packet, and is dropped the same way.
TEST_F(proxy_tls, ClientSilentAfterSIsDroppedAfterTheStartupTimeout) {
    start_pgroute(tls_section(certs()) + "limits:\n  startup_timeout: 1s\n",
                  {.write = "allow", .read = "allow"});
    raw_client client(ports_.write);
    client.send(negotiation_request(protocol::negotiate_ssl_code));
    ASSERT_EQ(client.read_exactly(1), "S");
    EXPECT_TRUE(client.closes_after_at_most(1024, 5s));
}

TEST_F(proxy_tls, ClientCertificatesMustChainToTheConfiguredCa) {
    start_pgroute(tls_section(certs(), certs().ca_cert), {.write = "allow", .read = "allow"});
    const auto client_cert = [](const std::filesystem::path& cert,
                                const std::filesystem::path& key) {
        return "sslmode=require sslcert='" + cert.string() + "' sslkey='" + key.string() + "'";
    };

    // Presenting one is optional.
    libpq_conn without(via(ports_.write, "sslmode=require"));
    EXPECT_EQ(PQsslInUse(without.raw()), 1);

    libpq_conn with_ours(via(ports_.write, client_cert(certs().client_cert, certs().client_key)));
    EXPECT_EQ(with_ours.exec_scalar("SELECT 'certified'"), "certified");

    const login_refusal refused = login_failure(
        via(ports_.write, client_cert(certs().other_client_cert, certs().other_client_key)));
    EXPECT_EQ(refused.sqlstate, "")
        << "refused in the handshake, not by a node: " << refused.message;

    libpq_conn after(via(ports_.write, "sslmode=require"));
    EXPECT_EQ(after.exec_scalar("SELECT 'still serving'"), "still serving");
}

}  // namespace
}  // namespace pgroute::test_support
