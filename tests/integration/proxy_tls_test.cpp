// pgroute's TLS to its clients: its own certificate, endpoint `tls: disable | allow | require`,
// the protocol versions it takes, client certificates, and clients that break off the handshake.
// The suite is proxy_tls_fixture.h.
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "protocol/message_type.h"
#include "tests/integration/proxy_test_raw_client.h"
#include "tests/integration/proxy_tls_fixture.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

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
