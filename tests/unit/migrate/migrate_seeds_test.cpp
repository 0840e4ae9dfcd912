// migrate-haproxy on the seeds' HAProxy configs: each becomes a pgroute.yaml that pgroute's own
// loader accepts and that routes as HAProxy did.
#include <gtest/gtest.h>

#include "tests/unit/migrate/haproxy_seeds.h"
#include "tests/unit/migrate/migrate_fixture.h"

namespace pgroute::test {
namespace {

using namespace std::chrono_literals;
using proxy::balance_kind;
using proxy::route_kind;

TEST(migrate_seeds, seed_004_listen_sections_become_a_write_and_a_read_endpoint) {
    const migrated out = migrate_and_load(seed_004_haproxy_cfg);
    ASSERT_EQ(out.cfg.endpoints.size(), 2u);
    const auto& write = out.cfg.endpoints[0];
    EXPECT_EQ(write.name, "postgresql-primary");
    EXPECT_EQ(write.listen.host, "0.0.0.0");
    EXPECT_EQ(write.listen.port, 5432);
    EXPECT_EQ(write.route, route_kind::leader);
    const auto& read = out.cfg.endpoints[1];
    EXPECT_EQ(read.name, "postgresql-replicas");
    EXPECT_EQ(read.listen.port, 5433);
    EXPECT_EQ(read.route, route_kind::replica);
    EXPECT_EQ(read.balance, balance_kind::round_robin);
    EXPECT_FALSE(read.fallback_to_leader);
    EXPECT_TRUE(read.cut_on_promote);  // shutdown-sessions cut them in HAProxy too
}

TEST(migrate_seeds, seed_004_servers_become_nodes_polled_on_their_check_port) {
    const migrated out = migrate_and_load(seed_004_haproxy_cfg);
    ASSERT_EQ(out.cfg.nodes.size(), 3u);  // listed twice in haproxy.cfg, once here
    EXPECT_EQ(out.cfg.nodes[0].address.name, "pg-node-1");
    EXPECT_EQ(out.cfg.nodes[0].address.host, "10.0.0.11");
    EXPECT_EQ(out.cfg.nodes[0].address.port, 5432);
    EXPECT_EQ(out.cfg.nodes[0].api_url, "http://10.0.0.11:8008");
    EXPECT_EQ(out.cfg.nodes[2].api_url, "http://10.0.0.13:8008");
}

TEST(migrate_seeds, seed_004_check_timing_and_limits_are_carried) {
    const migrated out = migrate_and_load(seed_004_haproxy_cfg);
    ASSERT_TRUE(out.cfg.patroni);
    EXPECT_EQ(out.cfg.patroni->timing.interval, 3s);
    EXPECT_EQ(out.cfg.patroni->timing.timeout, 5s);
    EXPECT_EQ(out.cfg.patroni->rules.rise, 2u);
    EXPECT_EQ(out.cfg.patroni->rules.fall, 3u);
    EXPECT_EQ(out.cfg.limits.connect_timeout, 10s);
    EXPECT_EQ(out.cfg.limits.max_client_connections, 1000u);
    ASSERT_TRUE(out.cfg.admin);
    EXPECT_EQ(out.cfg.admin->listen.host, "0.0.0.0");
    EXPECT_EQ(out.cfg.admin->listen.port, 8404);
}

TEST(migrate_seeds, seed_004_says_what_it_does_not_carry) {
    const migrated out = migrate_and_load(seed_004_haproxy_cfg);
    EXPECT_TRUE(has_note(out.plan, "'log stdout format raw local0' is not carried"));
    EXPECT_TRUE(has_note(out.plan, "'retries 3' is not carried"));
    EXPECT_TRUE(has_note(out.plan, "'timeout client 30m' is not carried"));
    EXPECT_TRUE(has_note(out.plan, "'stats uri /stats' is not carried"));
    EXPECT_TRUE(has_note(out.plan, "has no ?lag="));
    EXPECT_NE(out.yaml.find("# haproxy line 8: 'retries 3' is not carried"), std::string::npos);
    EXPECT_NE(out.yaml.find("interval: 3s  # haproxy line 29: inter 3s"), std::string::npos);
}

TEST(migrate_seeds, seed_001_backends_without_frontends_are_an_error) {
    const auto error = migrate_error_of(seed_001_haproxy_fragment);
    EXPECT_EQ(error.line, 1u);
    EXPECT_NE(error.message.find("no section carries over"), std::string::npos);
    EXPECT_NE(error.message.find("backend patroni_write_backend"), std::string::npos);
}

TEST(migrate_seeds, seed_000_001_frontends_take_their_backends_role_and_servers) {
    const migrated out = migrate_and_load(seed_000_001_haproxy_cfg);
    ASSERT_EQ(out.cfg.endpoints.size(), 2u);
    EXPECT_EQ(out.cfg.endpoints[0].name, "patroni_write");
    EXPECT_EQ(out.cfg.endpoints[0].listen.port, 5551);
    EXPECT_EQ(out.cfg.endpoints[0].route, route_kind::leader);
    EXPECT_EQ(out.cfg.endpoints[1].name, "patroni_read");
    EXPECT_EQ(out.cfg.endpoints[1].listen.port, 5552);
    EXPECT_EQ(out.cfg.endpoints[1].route, route_kind::replica);
    ASSERT_EQ(out.cfg.nodes.size(), 4u);
    EXPECT_EQ(out.cfg.nodes[3].address.name, "db4");
    EXPECT_EQ(out.cfg.nodes[3].address.host, "db4");
    EXPECT_EQ(out.cfg.nodes[3].address.port, 5431);
    EXPECT_EQ(out.cfg.nodes[3].api_url, "http://db4:8001");
    ASSERT_TRUE(out.cfg.admin);
    EXPECT_EQ(out.cfg.admin->listen.port, 5553);
    EXPECT_EQ(out.plan.endpoints[0].origin,
              "frontend patroni_write -> backend patroni_write_backend");
    EXPECT_TRUE(has_note(out.plan, "'balance first' is not carried"));
}

}  // namespace
}  // namespace pgroute::test
