// migrate-haproxy on hand-written configs: what each directive becomes, the notes for what it
// does not carry, and the errors for what it cannot read. Every output must load.
#include <gtest/gtest.h>

#include <string>

#include "tests/unit/migrate/migrate_fixture.h"

namespace pgroute::test {
namespace {

using namespace std::chrono_literals;
using proxy::balance_kind;
using proxy::route_kind;

// A listen section checking `check`, with two servers and `extra` lines.
std::string listen_with(std::string_view check, std::string_view extra = "") {
    return "listen db\n  bind :5552\n  option httpchk " + std::string(check) + "\n" +
           std::string(extra) +
           "  server a 10.0.0.1:5432 check port 8008\n"
           "  server b 10.0.0.2:5432 check port 8008\n";
}

TEST(migrate_translate, frontend_and_backend_pair_by_default_backend) {
    const migrated out = migrate_and_load(
        "frontend fe_write\n  bind 127.0.0.1:5551\n  default_backend be_write\n"
        "frontend fe_read\n  bind 127.0.0.1:5552\n  use_backend be_read\n"
        "backend be_write\n  option httpchk GET /leader\n  server a 10.0.0.1:5432 check port 8008\n"
        "backend be_read\n  balance leastconn\n  option httpchk GET /replica\n"
        "  server a 10.0.0.1:5432 check port 8008\n");
    ASSERT_EQ(out.cfg.endpoints.size(), 2u);
    EXPECT_EQ(out.cfg.endpoints[0].route, route_kind::leader);
    EXPECT_EQ(out.cfg.endpoints[0].listen.host, "127.0.0.1");
    EXPECT_EQ(out.cfg.endpoints[1].route, route_kind::replica);
    EXPECT_EQ(out.cfg.endpoints[1].balance, balance_kind::least_connections);
    EXPECT_EQ(out.cfg.nodes.size(), 1u);
}

TEST(migrate_translate, every_leader_check_path_routes_to_the_leader) {
    for (const char* check : {"GET /master", "GET /primary", "GET /leader", "GET /read-write",
                              "OPTIONS /primary", "/master", "HEAD /primary"}) {
        const migrated out = migrate_and_load(listen_with(check));
        ASSERT_EQ(out.cfg.endpoints.size(), 1u) << check;
        EXPECT_EQ(out.cfg.endpoints[0].route, route_kind::leader) << check;
    }
}

TEST(migrate_translate,
     option_httpchk_without_a_uri_checks_slash_which_patroni_answers_as_primary) {
    const migrated out = migrate_and_load(listen_with(""));
    EXPECT_EQ(out.plan.endpoints[0].check, "OPTIONS /");
    EXPECT_EQ(out.cfg.endpoints[0].route, route_kind::leader);
}

TEST(migrate_translate, replica_lag_query_becomes_max_lag_and_lagging_cuts) {
    const migrated out = migrate_and_load(listen_with(
        "OPTIONS /replica?lag=10MB", "  default-server on-marked-down shutdown-sessions\n"));
    EXPECT_EQ(out.cfg.endpoints[0].route, route_kind::replica);
    EXPECT_EQ(out.cfg.patroni->rules.max_lag_bytes, 10u << 20);
    EXPECT_TRUE(out.cfg.endpoints[0].cut_lagging_when_idle);
    EXPECT_TRUE(out.cfg.endpoints[0].cut_on_promote);
    EXPECT_NE(out.yaml.find("max_lag: 10MB"), std::string::npos);
}

TEST(migrate_translate, lag_in_plain_bytes) {
    const migrated out = migrate_and_load(listen_with("GET /replica?lag=1000"));
    EXPECT_EQ(out.cfg.patroni->rules.max_lag_bytes, 1000u);
}

TEST(migrate_translate, two_lag_bounds_keep_the_tightest) {
    const migrated out =
        migrate_and_load(listen_with("GET /replica?lag=16MB") +
                         "listen db2\n  bind :5553\n  option httpchk GET /replica?lag=1MB\n"
                         "  server a 10.0.0.1:5432 check port 8008\n");
    EXPECT_EQ(out.cfg.patroni->rules.max_lag_bytes, 1u << 20);
    EXPECT_TRUE(
        has_note(out.plan, "'option httpchk GET /replica?lag=16MB': its ?lag= is not carried"));
}

TEST(migrate_translate, other_query_parameters_are_noted) {
    const migrated out =
        migrate_and_load(listen_with("GET /replica?lag=1MB&replication_state=streaming&tag_dc=a"));
    EXPECT_TRUE(has_note(out.plan, "?replication_state=streaming has no equivalent"));
    EXPECT_TRUE(has_note(out.plan, "?tag_dc=a has no equivalent: pgroute honours only"));
}

TEST(migrate_translate, read_only_also_falls_back_to_the_leader) {
    const migrated out = migrate_and_load(listen_with("GET /read-only"));
    EXPECT_EQ(out.cfg.endpoints[0].route, route_kind::replica);
    EXPECT_TRUE(out.cfg.endpoints[0].fallback_to_leader);
    EXPECT_TRUE(has_note(out.plan, "/read-only passes the leader too"));
}

TEST(migrate_translate, replicas_without_shutdown_sessions_keep_sessions_on_promotion) {
    const migrated out = migrate_and_load(listen_with("GET /replica"));
    EXPECT_FALSE(out.cfg.endpoints[0].cut_on_promote);
    EXPECT_TRUE(has_note(out.plan, "without 'on-marked-down shutdown-sessions'"));
}

TEST(migrate_translate, a_patroni_path_pgroute_does_not_route_by_is_skipped_with_a_note) {
    const migrated out = migrate_and_load(listen_with("GET /sync") +
                                          "listen w\n  bind :5551\n  option httpchk GET /primary\n "
                                          " server a 10.0.0.1:5432 check port 8008\n");
    ASSERT_EQ(out.cfg.endpoints.size(), 1u);
    EXPECT_EQ(out.cfg.endpoints[0].name, "w");
    EXPECT_TRUE(has_note(out.plan, "section 'listen db' is not carried: Patroni's /sync"));
}

TEST(migrate_translate, http_check_send_sets_the_check) {
    const migrated out = migrate_and_load(
        "listen db\n  bind :5551\n  option httpchk\n"
        "  http-check send meth GET hdr Host db uri /replica ver HTTP/1.1\n"
        "  server a 10.0.0.1:5432 check port 8008\n");
    EXPECT_EQ(out.cfg.endpoints[0].route, route_kind::replica);
}

TEST(migrate_translate, defaults_carry_check_and_default_server_into_proxies) {
    const migrated out = migrate_and_load(
        "defaults\n  option httpchk GET /primary\n  default-server inter 1s fastinter 500ms rise 3 "
        "fall 2 check port 8001\n"
        "listen db\n  bind :5551\n  server a 10.0.0.1:5432\n");
    EXPECT_EQ(out.cfg.endpoints[0].route, route_kind::leader);
    EXPECT_EQ(out.cfg.nodes[0].api_url, "http://10.0.0.1:8001");
    EXPECT_EQ(out.cfg.patroni->timing.interval, 1s);
    EXPECT_EQ(out.cfg.patroni->timing.fast_interval, 500ms);
    EXPECT_EQ(out.cfg.patroni->rules.rise, 3u);
    EXPECT_EQ(out.cfg.patroni->rules.fall, 2u);
}

TEST(migrate_translate, server_addr_and_check_ssl_make_the_api_url) {
    const migrated out = migrate_and_load(listen_with(
        "GET /primary", "  server c 10.0.0.3:5432 check check-ssl addr 10.1.0.3 port 8443\n"));
    ASSERT_EQ(out.cfg.nodes.size(), 3u);
    EXPECT_EQ(out.cfg.nodes[0].api_url, "https://10.1.0.3:8443");
}

TEST(migrate_translate, a_check_on_the_servers_own_port_assumes_patronis_default) {
    const migrated out = migrate_and_load(
        "listen db\n  bind :5551\n  option httpchk GET /primary\n  server a db1 check\n");
    EXPECT_EQ(out.cfg.nodes[0].api_url, "http://db1:8008");
    EXPECT_EQ(out.cfg.nodes[0].address.port, 5432);
    EXPECT_TRUE(has_note(out.plan, "assumed on 8008"));
    EXPECT_TRUE(has_note(out.plan, "has no port"));
}

TEST(migrate_translate, unknown_directives_and_parameters_get_notes) {
    const migrated out = migrate_and_load(listen_with(
        "GET /primary",
        "  option tcplog\n  frobnicate 7\n  maxconn 50\n  timeout tunnel 1h\n"
        "  server c 10.0.0.3:5432 check port 8008 weight 10 backup\n  acl x src 1.2.3.4\n"));
    EXPECT_TRUE(has_note(out.plan, "'option tcplog' is not carried: pgroute logs"));
    EXPECT_TRUE(has_note(out.plan, "'frobnicate 7' is not carried: pgroute has no equivalent"));
    EXPECT_TRUE(has_note(out.plan, "'maxconn 50' is not carried"));
    EXPECT_TRUE(has_note(out.plan, "'timeout tunnel 1h' is not carried"));
    EXPECT_TRUE(has_note(out.plan, "'weight 10' of server c is not carried"));
    EXPECT_TRUE(has_note(out.plan, "'backup' of server c is not carried"));
    EXPECT_NE(out.yaml.find("  # haproxy line 5: 'frobnicate 7' is not carried"),
              std::string::npos);
}

TEST(migrate_translate, a_section_without_bind_is_noted_and_the_rest_carried) {
    const migrated out = migrate_and_load(listen_with("GET /primary") +
                                          "listen nobind\n  option httpchk GET /replica\n"
                                          "  server a 10.0.0.1:5432 check port 8008\n");
    EXPECT_EQ(out.cfg.endpoints.size(), 1u);
    EXPECT_TRUE(has_note(out.plan, "section 'listen nobind' is not carried: it has no bind"));
}

TEST(migrate_translate, a_config_with_no_usable_section_is_an_error) {
    const auto error =
        migrate_error_of("global\n  maxconn 10\nlisten db\n  option httpchk GET /primary\n");
    EXPECT_EQ(error.line, 3u);
    EXPECT_NE(error.message.find("listen db (line 3) is not carried: it has no bind"),
              std::string::npos);
    EXPECT_NE(migrate_error_of("global\n  maxconn 10\n").message.find("no listen or frontend"),
              std::string::npos);
    EXPECT_NE(migrate_error_of("").message.find("no listen or frontend"), std::string::npos);
}

TEST(migrate_translate, a_tcp_check_has_no_role_to_route_by) {
    const auto error = migrate_error_of(
        "listen db\n  bind :5551\n  option tcp-check\n  server a 10.0.0.1:5432 check\n");
    EXPECT_NE(error.message.find("no option httpchk"), std::string::npos);
}

TEST(migrate_translate, malformed_values_name_their_line) {
    EXPECT_EQ(migrate_error_of("defaults\n  timeout connect soon\n").line, 2u);
    EXPECT_EQ(migrate_error_of("listen a\n  bind :1\n  server a\n").line, 3u);
    EXPECT_EQ(migrate_error_of("listen a\n  server a 10.0.0.1:5432 check port x\n").line, 2u);
    EXPECT_EQ(migrate_error_of("listen a\n  server a 10.0.0.1:5432 inter\n").line, 2u);
    EXPECT_EQ(migrate_error_of("global\n  maxconn lots\n").line, 2u);
    EXPECT_EQ(migrate_error_of("listen a\n  mode\n").line, 2u);
}

TEST(migrate_translate, binds_that_cannot_be_carried_are_noted) {
    const migrated out = migrate_and_load(listen_with(
        "GET /primary", "  bind /run/pg.sock\n  bind :6000-6010\n  bind :5551 ssl crt /x.pem\n"));
    ASSERT_EQ(out.cfg.endpoints.size(), 2u);  // :5552 and :5551
    EXPECT_EQ(out.cfg.endpoints[1].name, "db-2");
    EXPECT_TRUE(has_note(out.plan, "is not a TCP address"));
    EXPECT_TRUE(has_note(out.plan, "is a port range"));
    EXPECT_TRUE(has_note(out.plan, "TLS to clients is pgroute.yaml's tls section"));
}

TEST(migrate_translate, ipv6_addresses_are_bracketed) {
    const migrated out = migrate_and_load(
        "listen db\n  bind [::]:5551\n  option httpchk GET /primary\n"
        "  server a [fd00::1]:5432 check port 8008\n");
    EXPECT_EQ(out.cfg.endpoints[0].listen.host, "::");
    EXPECT_EQ(out.cfg.nodes[0].address.host, "fd00::1");
    EXPECT_EQ(out.cfg.nodes[0].api_url, "http://[fd00::1]:8008");
}

TEST(migrate_translate, conflicting_servers_and_timings_keep_the_first) {
    const migrated out = migrate_and_load(
        listen_with("GET /primary", "  default-server inter 2s\n") +
        "listen r\n  bind :5553\n  option httpchk GET /replica\n  default-server inter 5s\n"
        "  server a 10.0.0.9:5432 check port 8008\n  server z 10.0.0.2:5432 check port 8008\n");
    EXPECT_EQ(out.cfg.nodes.size(), 2u);
    EXPECT_EQ(out.cfg.patroni->timing.interval, 2s);
    EXPECT_TRUE(has_note(out.plan, "'inter 5s' is not carried: pgroute has one patroni.interval"));
    EXPECT_TRUE(has_note(out.plan, "server a is not carried: a node of that name"));
    EXPECT_TRUE(has_note(out.plan, "server z is not carried: it is b"));
}

TEST(migrate_translate, out_of_range_values_are_noted_not_written) {
    const migrated out = migrate_and_load(
        listen_with("GET /primary", "  default-server inter 5ms rise 500\n  timeout check 1ms\n"));
    EXPECT_FALSE(out.plan.interval);
    EXPECT_FALSE(out.plan.rise);
    EXPECT_FALSE(out.plan.check_timeout);
    EXPECT_TRUE(has_note(out.plan, "patroni.interval is at least 10ms"));
}

TEST(migrate_translate, names_that_yaml_would_misread_are_quoted) {
    const migrated out = migrate_and_load(
        "listen yes\n  bind :5551\n  option httpchk GET /primary\n"
        "  server 1:x 10.0.0.1:5432 check port 8008\n");
    EXPECT_EQ(out.cfg.endpoints[0].name, "yes");
    EXPECT_EQ(out.cfg.nodes[0].address.name, "1:x");
}

TEST(migrate_translate, input_over_one_mebibyte_is_refused) {
    const std::string huge(proxy::migrate::max_haproxy_cfg_bytes + 1, '#');
    EXPECT_NE(migrate_error_of(huge).message.find("larger than 1 MiB"), std::string::npos);
}

TEST(migrate_translate, http_sections_and_conditional_backends_are_noted) {
    const migrated out =
        migrate_and_load(listen_with("GET /primary") +
                         "frontend web\n  mode http\n  bind :80\n  default_backend db\n"
                         "frontend fe\n  bind :5554\n  use_backend db if { src 10.0.0.0/8 }\n"
                         "listen syslog\n  mode log\n  bind :5555\n");
    EXPECT_EQ(out.cfg.endpoints.size(), 1u);
    EXPECT_TRUE(has_note(out.plan, "section 'frontend web' is not carried: mode http"));
    EXPECT_TRUE(has_note(out.plan, "not by conditions"));
    EXPECT_TRUE(has_note(out.plan, "section 'listen syslog' is not carried: mode log"));
    EXPECT_TRUE(
        has_note(out.plan, "section 'frontend fe' is not carried: it names no default_backend"));
}

TEST(migrate_translate, other_sections_are_noted) {
    const migrated out =
        migrate_and_load(listen_with("GET /primary") + "peers mypeers\n  peer a 1.2.3.4:1\n");
    EXPECT_TRUE(has_note(out.plan, "section 'peers mypeers' is not carried"));
}

}  // namespace
}  // namespace pgroute::test
