#include "proxy/config/config_loader.h"

#include <gtest/gtest.h>

namespace pgroute::proxy {
namespace {

const char* const static_config = R"(
endpoints:
  write: {listen: "127.0.0.1:5551", route: leader}
  read: {listen: "127.0.0.1:5552", route: replica, balance: leastconn}
nodes:
  - {name: pg1, host: 127.0.0.1, port: 5432, role: primary}
  - {name: pg2, host: 127.0.0.1, port: 5433, role: replica}
)";

std::vector<std::string> problem_keys(const config_result& r) {
    std::vector<std::string> keys;
    for (const auto& p : r.problems)
        keys.push_back(p.key);
    return keys;
}

TEST(config_loader, StaticConfigParsesWithDefaults) {
    const auto r = parse_config(static_config);
    ASSERT_TRUE(r.ok()) << r.problems.front().key << ": " << r.problems.front().message;
    ASSERT_EQ(r.cfg.endpoints.size(), 2u);
    EXPECT_EQ(r.cfg.endpoints[0].name, "write");
    EXPECT_EQ(r.cfg.endpoints[0].listen.port, 5551);
    EXPECT_EQ(r.cfg.endpoints[1].balance, balance_kind::least_connections);
    EXPECT_EQ(r.cfg.nodes[1].static_role, health::node_role::replica);
    EXPECT_FALSE(r.cfg.patroni);
    EXPECT_EQ(r.cfg.limits.max_startup_packet_length, 10000u);
    EXPECT_EQ(r.cfg.limits.max_message_length, 0x3fffffffu);
    EXPECT_EQ(r.cfg.threads, 0u);
}

TEST(config_loader, UnknownKeysAreReportedWithTheirPath) {
    const auto r =
        parse_config(std::string(static_config) + "limits: {max_clients: 5}\nbogus: 1\n");
    EXPECT_EQ(problem_keys(r), (std::vector<std::string>{"limits.max_clients", "bogus"}));
    EXPECT_EQ(r.problems[0].message, "unknown key");
}

TEST(config_loader, AKeyGivenTwiceIsAProblemNotASilentChoice) {
    const auto r =
        parse_config(std::string(static_config) +
                     "threads: 2\nlimits: {hold_timeout: 1s, hold_timeout: 2s}\nthreads: 3\n");
    EXPECT_EQ(problem_keys(r), (std::vector<std::string>{"limits.hold_timeout", "threads"}));
    EXPECT_EQ(r.problems[0].message, "is given twice");
}

TEST(config_loader, PeeringNamesThisInstanceAndItsPeers) {
    const auto r = parse_config(std::string(static_config) + R"(
peering:
  id: 1
  peers:
    - {id: 2, address: "10.0.0.2:5551"}
    - {id: 3, address: "[::1]:6551"}
)");
    ASSERT_TRUE(r.ok()) << r.problems.front().key << ": " << r.problems.front().message;
    ASSERT_TRUE(r.cfg.peering);
    EXPECT_EQ(r.cfg.peering->id, 1u);
    ASSERT_EQ(r.cfg.peering->peers.size(), 2u);
    EXPECT_EQ(r.cfg.peering->peer(3)->address, (listen_address{"::1", 6551}));
    EXPECT_EQ(r.cfg.peering->peer(1), nullptr);
    EXPECT_FALSE(parse_config(static_config).cfg.peering);
}

TEST(config_loader, PeeringIdsAreOneTo255AndUniqueAndEveryPeerHasAnAddress) {
    const auto r = parse_config(std::string(static_config) + R"(
peering:
  id: 300
  peers:
    - {id: 2, address: "10.0.0.2:5551"}
    - {id: 2, address: "10.0.0.3"}
    - {address: "10.0.0.4:5551"}
)");
    EXPECT_EQ(problem_keys(r),
              (std::vector<std::string>{"peering.id", "peering.peers[1].id",
                                        "peering.peers[1].address", "peering.peers[2].id"}));
    const auto no_id = parse_config(std::string(static_config) + "peering: {peers: []}\n");
    EXPECT_EQ(problem_keys(no_id), (std::vector<std::string>{"peering.id"}));
}

TEST(config_loader, EveryProblemIsReportedNotJustTheFirst) {
    const auto r = parse_config(R"(
threads: many
endpoints:
  write: {listen: "127.0.0.1:99999", route: writer}
nodes:
  - {name: pg1, host: 127.0.0.1, role: boss}
)");
    EXPECT_EQ(problem_keys(r),
              (std::vector<std::string>{"threads", "endpoints.write.listen",
                                        "endpoints.write.route", "nodes[0].role"}));
}

TEST(config_loader, PatroniSectionSwitchesModeAndParsesUnits) {
    const auto r = parse_config(R"(
endpoints:
  write: {listen: "127.0.0.1:5551", route: leader}
nodes:
  - {name: pg1, host: 127.0.0.1, port: 5432, api_url: "http://127.0.0.1:8008"}
patroni:
  interval: 500ms
  fast_interval: 100ms
  max_lag: 16kB
  max_lag_time: 2s
  fall: 5
)");
    ASSERT_TRUE(r.ok()) << r.problems.front().key << ": " << r.problems.front().message;
    ASSERT_TRUE(r.cfg.patroni);
    EXPECT_EQ(r.cfg.patroni->timing.interval, std::chrono::milliseconds(500));
    EXPECT_EQ(r.cfg.patroni->timing.fast_interval, std::chrono::milliseconds(100));
    EXPECT_EQ(r.cfg.patroni->rules.max_lag_bytes, 16u * 1024);
    EXPECT_EQ(r.cfg.patroni->rules.max_lag_time, std::chrono::seconds(2));
    EXPECT_EQ(r.cfg.patroni->rules.fall, 5u);
    EXPECT_EQ(r.cfg.patroni->rules.rise, 2u);
}

TEST(config_loader, EmptyPatroniSectionMeansPatroniModeWithDefaults) {
    const auto r = parse_config(R"(
endpoints: {write: {listen: "127.0.0.1:5551", route: leader}}
nodes: [{name: pg1, host: 127.0.0.1, api_url: "http://127.0.0.1:8008"}]
patroni:
)");
    ASSERT_TRUE(r.ok()) << r.problems.front().key << ": " << r.problems.front().message;
    ASSERT_TRUE(r.cfg.patroni);
    EXPECT_EQ(r.cfg.patroni->timing.interval, std::chrono::seconds(1));
    EXPECT_EQ(r.cfg.patroni->timing.fast_interval, std::chrono::milliseconds(250));
    EXPECT_EQ(r.cfg.limits.hold_timeout, std::chrono::seconds(30));
}

TEST(config_loader, HoldTimeoutCanBeTurnedOffAndStillBeSetByItsOlderName) {
    const char* const base = R"(
endpoints: {write: {listen: "127.0.0.1:5551", route: leader}}
nodes: [{name: pg1, host: 127.0.0.1, api_url: "http://127.0.0.1:8008"}]
patroni:
)";
    const auto off = parse_config(std::string(base) + "limits: {hold_timeout: 0s}\n");
    ASSERT_TRUE(off.ok()) << off.problems.front().key << ": " << off.problems.front().message;
    EXPECT_EQ(off.cfg.limits.hold_timeout, std::chrono::milliseconds(0));

    const auto old_name = parse_config(std::string(base) + "limits: {node_wait: 3s}\n");
    ASSERT_TRUE(old_name.ok()) << old_name.problems.front().message;
    EXPECT_EQ(old_name.cfg.limits.hold_timeout, std::chrono::seconds(3));

    const auto both =
        parse_config(std::string(base) + "limits: {node_wait: 3s, hold_timeout: 5s}\n");
    ASSERT_EQ(both.problems.size(), 1u);
    EXPECT_EQ(both.problems.front().key, "limits.node_wait");
    EXPECT_EQ(both.problems.front().message,
              "is the older name of hold_timeout: set only hold_timeout");
}

TEST(config_loader, PatroniModeNeedsApiUrlAndStaticModeNeedsRole) {
    const auto patroni = parse_config(R"(
endpoints: {write: {listen: "127.0.0.1:5551", route: leader}}
nodes: [{name: pg1, host: 127.0.0.1}]
patroni: {interval: 1s}
)");
    EXPECT_EQ(problem_keys(patroni), (std::vector<std::string>{"nodes[0].api_url"}));
    const auto static_mode = parse_config(R"(
endpoints: {write: {listen: "127.0.0.1:5551", route: leader}}
nodes: [{name: pg1, host: 127.0.0.1}]
)");
    EXPECT_EQ(problem_keys(static_mode), (std::vector<std::string>{"nodes[0].role"}));
}

// Found by fuzz_config: `pgroute --check` passed an api_url the monitor can never poll.
TEST(config_loader, AnApiUrlThatDoesNotParseIsAProblem) {
    const auto r = parse_config(R"(
endpoints: {write: {listen: "127.0.0.1:5551", route: leader}}
nodes:
  - {name: pg1, host: 127.0.0.1, api_url: "http://127.0.0.1:80080"}
  - {name: pg2, host: 127.0.0.2, api_url: "127.0.0.2:8008"}
  - {name: pg3, host: 127.0.0.3, api_url: "http://127.0.0.3:8008"}
patroni:
)");
    EXPECT_EQ(problem_keys(r), (std::vector<std::string>{"nodes[0].api_url", "nodes[1].api_url"}));
    ASSERT_EQ(r.problems.size(), 2u);
    EXPECT_EQ(r.problems[0].message,
              "invalid URL \"http://127.0.0.1:80080\": port must be a number from 1 to 65535");
}

// Found by fuzz_config: a key that is a list or a mapping threw out of the loader (and from a
// destructor, so std::terminate) instead of being listed as a problem.
TEST(config_loader, AKeyThatIsAListOrAMappingIsAProblemNotACrash) {
    const auto r = parse_config(R"(
endpoints:
  write: {listen: "127.0.0.1:5551", route: leader, [tls]: require}
  {read: 1}: {listen: "127.0.0.1:5552", route: replica}
nodes:
  - {name: pg1, host: 127.0.0.1, role: primary, {host: x}: y}
[threads]: 4
)");
    EXPECT_EQ(problem_keys(r),
              (std::vector<std::string>{"endpoints.write", "endpoints", "nodes[0]", ""}));
    for (const auto& problem : r.problems) {
        EXPECT_EQ(problem.message, "has a key that is a list or a mapping") << problem.key;
    }
}

TEST(config_loader, DuplicatesAndTwoPrimariesAreRejected) {
    const auto r = parse_config(R"(
endpoints:
  write: {listen: "127.0.0.1:5551", route: leader}
  read: {listen: "127.0.0.1:5551", route: replica}
nodes:
  - {name: pg1, host: 127.0.0.1, role: primary}
  - {name: pg1, host: 127.0.0.2, role: primary}
)");
    EXPECT_EQ(problem_keys(r),
              (std::vector<std::string>{"nodes[1].name", "nodes", "endpoints.read.listen"}));
}

TEST(config_loader, LimitsAreBoundedToSafeRanges) {
    const auto r = parse_config(std::string(static_config) +
                                "limits: {max_message_length: 4GB, startup_timeout: soon}\n");
    EXPECT_EQ(problem_keys(r),
              (std::vector<std::string>{"limits.max_message_length", "limits.startup_timeout"}));
}

// Minutes, as a pool's idle connections are checked; a hold ties up a client connection, so an
// hour at most. 0s sends the error at once.
TEST(config_loader, IdleErrorHoldDefaultsToMinutesAndIsBounded) {
    const auto defaults = parse_config(static_config);
    ASSERT_TRUE(defaults.ok());
    EXPECT_EQ(defaults.cfg.limits.idle_error_hold, std::chrono::minutes(5));
    const auto off = parse_config(std::string(static_config) + "limits: {idle_error_hold: 0s}\n");
    ASSERT_TRUE(off.ok()) << off.problems.front().key << ": " << off.problems.front().message;
    EXPECT_EQ(off.cfg.limits.idle_error_hold, std::chrono::milliseconds(0));
    const auto too_long =
        parse_config(std::string(static_config) + "limits: {idle_error_hold: 2h}\n");
    EXPECT_EQ(problem_keys(too_long), (std::vector<std::string>{"limits.idle_error_hold"}));
    ASSERT_EQ(too_long.problems.size(), 1u);
    EXPECT_EQ(too_long.problems[0].message, "must be at most 1h");
}

TEST(config_loader, SessionStateForMovesDefaultsToAMebibyteAndIsBounded) {
    const auto defaults = parse_config(static_config);
    ASSERT_TRUE(defaults.ok());
    EXPECT_EQ(defaults.cfg.limits.max_session_state, 1024u * 1024u);
    const auto small =
        parse_config(std::string(static_config) + "limits: {max_session_state: 64kB}\n");
    ASSERT_TRUE(small.ok()) << small.problems.front().key << ": " << small.problems.front().message;
    EXPECT_EQ(small.cfg.limits.max_session_state, 64u * 1024u);
    const auto huge =
        parse_config(std::string(static_config) + "limits: {max_session_state: 2GB}\n");
    EXPECT_EQ(problem_keys(huge), (std::vector<std::string>{"limits.max_session_state"}));
}

TEST(config_loader, InvalidYamlNamesTheLine) {
    const auto r = parse_config("endpoints: [\n  {a: b\n");
    ASSERT_EQ(r.problems.size(), 1u);
    EXPECT_NE(r.problems[0].message.find("not valid YAML"), std::string::npos);
}

TEST(config_loader, MissingFileIsAProblemNotACrash) {
    const auto r = load_config_file("/nonexistent/pgroute.yaml");
    ASSERT_EQ(r.problems.size(), 1u);
    EXPECT_EQ(r.problems[0].message, "cannot read config file '/nonexistent/pgroute.yaml'");
}

TEST(config_loader, TheShippedExampleConfigIsValid) {
    const auto r = load_config_file(PGROUTE_SOURCE_DIR "/conf/pgroute.yaml");
    EXPECT_TRUE(r.ok()) << (r.problems.empty()
                                ? ""
                                : r.problems.front().key + ": " + r.problems.front().message);
}

TEST(config_loader, TlsIsOffByDefaultAndAllowedOnEveryEndpointOnceConfigured) {
    const auto plain = parse_config(static_config);
    ASSERT_TRUE(plain.ok());
    EXPECT_FALSE(plain.cfg.tls);
    EXPECT_EQ(plain.cfg.endpoints[0].tls, client_tls_mode::disable);
    EXPECT_EQ(plain.cfg.server_tls.mode, server_tls_mode::disable);

    const auto r = parse_config(R"(
tls: {cert_file: /etc/pgroute/server.crt, key_file: /etc/pgroute/server.key}
server_tls: {mode: verify-full, ca_file: /etc/pgroute/ca.crt}
endpoints:
  write: {listen: "127.0.0.1:5551", route: leader, tls: require}
  read: {listen: "127.0.0.1:5552", route: replica}
  plain: {listen: "127.0.0.1:5554", route: replica, tls: disable}
nodes:
  - {name: pg1, host: 127.0.0.1, port: 5432, role: primary}
)");
    ASSERT_TRUE(r.ok()) << r.problems.front().key << ": " << r.problems.front().message;
    ASSERT_TRUE(r.cfg.tls);
    EXPECT_EQ(r.cfg.tls->cert_file, "/etc/pgroute/server.crt");
    EXPECT_EQ(r.cfg.endpoints[0].tls, client_tls_mode::require);
    EXPECT_EQ(r.cfg.endpoints[1].tls, client_tls_mode::allow);
    EXPECT_EQ(r.cfg.endpoints[2].tls, client_tls_mode::disable);
    EXPECT_EQ(r.cfg.server_tls.mode, server_tls_mode::verify_full);
    EXPECT_EQ(r.cfg.server_tls.ca_file, "/etc/pgroute/ca.crt");
}

TEST(config_loader, TlsProblemsNameTheirKeys) {
    const auto r = parse_config(R"(
tls: {cert_file: /etc/pgroute/server.crt, ciphers: ALL}
server_tls: {mode: verify-full}
endpoints:
  write: {listen: "127.0.0.1:5551", route: leader, tls: maybe}
nodes:
  - {name: pg1, host: 127.0.0.1, port: 5432, role: primary}
)");
    EXPECT_EQ(problem_keys(r),
              (std::vector<std::string>{"tls.key_file", "tls.ciphers", "server_tls.ca_file",
                                        "endpoints.write.tls"}));
}

TEST(config_loader, AnEndpointCannotOfferTlsWithoutACertificate) {
    const auto r = parse_config(R"(
endpoints:
  write: {listen: "127.0.0.1:5551", route: leader, tls: require}
nodes:
  - {name: pg1, host: 127.0.0.1, port: 5432, role: primary}
)");
    EXPECT_EQ(problem_keys(r), (std::vector<std::string>{"endpoints.write.tls"}));
}

TEST(config_loader, PatroniApiTlsAndCredentialsAreReadAndPairsAreChecked) {
    const std::string nodes = R"(
endpoints:
  write: {listen: "127.0.0.1:5551", route: leader}
nodes:
  - {name: pg1, host: 127.0.0.1, api_url: "https://127.0.0.1:8008"}
)";
    const auto r = parse_config(nodes + R"(
patroni: {api_ca_file: /etc/pgroute/ca.crt, api_username: pgroute, api_password: s3cret}
)");
    ASSERT_TRUE(r.ok()) << r.problems.front().key << ": " << r.problems.front().message;
    EXPECT_EQ(r.cfg.patroni->api_ca_file, "/etc/pgroute/ca.crt");
    EXPECT_EQ(r.cfg.patroni->api_username, "pgroute");
    EXPECT_EQ(r.cfg.patroni->api_password, "s3cret");

    const auto unpaired = parse_config(nodes + R"(
patroni: {api_cert_file: /etc/pgroute/client.crt, api_password: s3cret}
)");
    EXPECT_EQ(problem_keys(unpaired),
              (std::vector<std::string>{"patroni.api_key_file", "patroni.api_username"}));
}

TEST(listen_address, ParsesIpv4Ipv6AndRejectsJunk) {
    EXPECT_EQ(parse_listen_address("127.0.0.1:5551")->port, 5551);
    EXPECT_EQ(parse_listen_address("[::1]:5552")->host, "::1");
    EXPECT_FALSE(parse_listen_address("127.0.0.1"));
    EXPECT_FALSE(parse_listen_address(":5551"));
    EXPECT_FALSE(parse_listen_address("127.0.0.1:0"));
    EXPECT_FALSE(parse_listen_address("127.0.0.1:5551x"));
}

}  // namespace
}  // namespace pgroute::proxy

namespace pgroute::proxy {
namespace {

constexpr const char* proxy_mode_base = R"(
endpoints: {write: {listen: "127.0.0.1:5551", route: leader}}
nodes: [{name: pg1, host: 127.0.0.1, role: primary}]
)";

TEST(config_loader, AuthQueryRunsAsAuthUserWithPgBouncersDefaults) {
    const auto r = parse_config(std::string(proxy_mode_base) +
                                "auth: {mode: proxy, auth_file: users.txt, auth_user: pgroute}\n");
    ASSERT_TRUE(r.ok()) << r.problems.front().key << ": " << r.problems.front().message;
    EXPECT_EQ(r.cfg.auth.auth_user, "pgroute");
    EXPECT_EQ(r.cfg.auth.auth_query, "SELECT usename, passwd FROM pg_shadow WHERE usename = $1");
    EXPECT_EQ(r.cfg.auth.auth_dbname, "");
    EXPECT_EQ(r.cfg.auth.auth_cache_ttl, std::chrono::seconds(60));
    EXPECT_EQ(r.cfg.auth.auth_pool_size, 2u);
}

TEST(config_loader, AuthQueryProblemsAreNamed) {
    const auto keys_of = [](const std::string& auth) {
        const auto r = parse_config(std::string(proxy_mode_base) + auth);
        std::string keys;
        for (const auto& problem : r.problems)
            keys += problem.key + ": " + problem.message + "\n";
        return keys;
    };
    EXPECT_EQ(keys_of("auth: {mode: proxy, auth_file: u.txt, auth_query: 'SELECT 1, 2'}\n"),
              "auth.auth_query: needs auth_user, whom pgroute runs it as\n"
              "auth.auth_query: must take the user name as $1\n");
    EXPECT_EQ(keys_of("auth: {auth_user: pgroute}\n"),
              "auth.auth_user: is only used with mode proxy (the node authenticates clients)\n");
    EXPECT_EQ(keys_of("auth: {mode: proxy, auth_file: u.txt, auth_user: p, auth_pool_size: 0}\n"),
              "auth.auth_pool_size: must be an integer from 1 to 100, got '0'\n");
}

}  // namespace
}  // namespace pgroute::proxy
