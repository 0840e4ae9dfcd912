// pgroute's admin listener in static mode: the refusals it counts, by reason (a broken or
// abandoned startup, a client over the limit, a node that does not answer), and CancelRequests
// by what became of them. The suite is admin_endpoints_fixture.h.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "protocol/cancel_key.h"
#include "tests/integration/admin_endpoints_fixture.h"
#include "tests/integration/proxy_test_libpq.h"
#include "tests/integration/proxy_test_raw_client.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

TEST_F(admin_endpoints, StartupFailuresAreCountedAsRejectedByReason) {
    const auto total = endpoint_series("pgroute_client_sessions_total", "write");
    const auto bad =
        endpoint_series("pgroute_client_sessions_rejected_total", "write", "startup_error");
    const auto left =
        endpoint_series("pgroute_client_sessions_rejected_total", "write", "startup_abandoned");
    const double total_before = env().metric(total);
    const double bad_before = env().metric(bad);
    const double left_before = env().metric(left);
    {
        raw_client client(env().proxy.write);
        client.send(message_header(0, 3).substr(1));  // a length that cannot count itself
        EXPECT_TRUE(client.closes_after_at_most(512));
    }
    { raw_client client(env().proxy.write); }  // connects and leaves without a word
    env().wait_for_metric(left, left_before + 1);
    EXPECT_EQ(env().metric(bad), bad_before + 1);
    EXPECT_EQ(env().metric(total), total_before + 2);
}

TEST_F(admin_endpoints, CancelRequestsAreCountedByWhatBecameOfThem) {
    const auto forwarded = cancel_series("write", "forwarded");
    const auto unknown = cancel_series("write", "unknown_key");
    const double forwarded_before = env().metric(forwarded);
    const double unknown_before = env().metric(unknown);
    raw_client session(env().proxy.write);
    session.send(startup_packet(
        {{"user", std::string(trust_role.name)}, {"database", std::string(test_database)}}));
    std::optional<protocol::cancel_key> key;
    for (const auto& message : session.read_until_ready()) {
        if (message.type == protocol::PqMsg_BackendKeyData) {
            key = protocol::read_backend_key_data(message.body);
        }
    }
    ASSERT_TRUE(key.has_value());

    raw_client(env().proxy.write).send(protocol::build_cancel_request(*key));
    env().wait_for_metric(forwarded, forwarded_before + 1);
    // 64 random bits: no session holds the key one bit away from a live one.
    auto forged = *key;
    forged.secret[0] = static_cast<char>(forged.secret[0] ^ 1);
    raw_client(env().proxy.write).send(protocol::build_cancel_request(forged));
    env().wait_for_metric(unknown, unknown_before + 1);
    EXPECT_EQ(env().metric(forwarded), forwarded_before + 1);
}

bool every_connection_counted(std::uint16_t admin_port, std::string_view endpoint) {
    const double accepted =
        scrape(admin_port, endpoint_series("pgroute_client_sessions_total", endpoint));
    double ended = 0;
    for (const char* reason : {"too_many_clients", "startup_error", "startup_abandoned", "no_node",
                               "node_unreachable"}) {
        ended += scrape(admin_port, endpoint_series("pgroute_client_sessions_rejected_total",
                                                    endpoint, reason));
    }
    return accepted >= 1 && accepted == ended &&
           scrape(admin_port, endpoint_series("pgroute_client_sessions_open", endpoint)) == 0;
}

// pgroute with room for one client, its admin listener on, returned once its start-up probes are
// counted. pgroute_process probes each port once it starts, and pgroute may accept those
// connections after the probes are gone: one of them can take the slot while the other is
// refused, so a test's baseline is read only once every accepted connection has been counted.
struct one_client_pgroute {
    explicit one_client_pgroute(const pg_cluster& cluster)
        : process(
              cluster_config(cluster, {ports[0], ports[1]},
                             "limits:\n  max_client_connections: 1\n" + admin_section(ports[2])),
              {ports[0], ports[1], ports[2]}) {
        wait_until(
            [&] {
                return every_connection_counted(admin_port(), "write") &&
                       every_connection_counted(admin_port(), "read");
            },
            metric_timeout, "pgroute has counted its start-up probes");
    }
    [[nodiscard]] std::uint16_t write_port() const { return ports[0]; }
    [[nodiscard]] std::uint16_t admin_port() const { return ports[2]; }

    std::vector<std::uint16_t> ports = free_ports(3);
    pgroute_process process;
};

TEST_F(admin_endpoints, ClientsOverTheLimitAreCountedAsTooManyClients) {
    one_client_pgroute limited(env().cluster);
    // Without SSL, so that each refused login is one connection rather than two (libpq's
    // sslmode=prefer tries again without it after the refusal).
    const auto conninfo =
        loopback_conninfo(limited.write_port(), superuser, test_database) + " sslmode=disable";
    const auto refused =
        endpoint_series("pgroute_client_sessions_rejected_total", "write", "too_many_clients");
    const double refused_before = scrape(limited.admin_port(), refused);
    const libpq_conn first(conninfo);
    EXPECT_EQ(sqlstate_thrown_by([&] { const libpq_conn second(conninfo); }), "53300");
    EXPECT_EQ(scrape(limited.admin_port(), refused), refused_before + 1);
    limited.process.stop();
}

// A client turned away for the limit may still cancel: that is how it gets out from under a full
// pgroute. Its request is served and counted like any other.
TEST_F(admin_endpoints, ACancelRequestOverTheClientLimitIsServedAndCounted) {
    one_client_pgroute limited(env().cluster);
    const auto unknown = cancel_series("write", "unknown_key");
    const double before = scrape(limited.admin_port(), unknown);
    const libpq_conn first(loopback_conninfo(limited.write_port(), superuser, test_database));
    raw_client(limited.write_port())
        .send(protocol::build_cancel_request({1, std::string("\0\0\0\2", 4)}));
    wait_until([&] { return scrape(limited.admin_port(), unknown) == before + 1; }, metric_timeout,
               unknown + " counts the refused client's cancel");
    EXPECT_NE(limited.process.log_text().find("refused client cancel request dropped"),
              std::string::npos);
    limited.process.stop();
}

// Last: it stops the replica for a moment.
TEST_F(admin_endpoints, AConnectFailureCountsAsNodeUnreachable) {
    const auto unreachable =
        endpoint_series("pgroute_client_sessions_rejected_total", "read", "node_unreachable");
    const double before = env().metric(unreachable);
    env().cluster.kill_replica();
    struct restart_case {
        pg_cluster& cluster;
        ~restart_case() {
            try {
                cluster.start_replica();
            } catch (const std::exception& e) {
                ADD_FAILURE() << "the replica did not come back: " << e.what();
            }
        }
    } restart{env().cluster};
    EXPECT_EQ(sqlstate_thrown_by([&] { const libpq_conn refused(env().read_conninfo()); }),
              "08006");
    EXPECT_EQ(env().metric(unreachable), before + 1);
}
}  // namespace
}  // namespace pgroute::test_support
