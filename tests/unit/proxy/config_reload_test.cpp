#include "proxy/config/config_reload.h"

#include <gtest/gtest.h>

#include "proxy/config/config_loader.h"

namespace pgroute::proxy {
namespace {

const std::string patroni_config = R"(
endpoints:
  write: {listen: "127.0.0.1:5551", route: leader}
  read: {listen: "127.0.0.1:5552", route: replica}
nodes:
  - {name: pg1, host: 127.0.0.1, port: 5432, api_url: "http://127.0.0.1:8008"}
  - {name: pg2, host: 127.0.0.1, port: 5433, api_url: "http://127.0.0.1:8009"}
patroni: {interval: 1s}
admin: {listen: "127.0.0.1:5553"}
)";

config parsed(const std::string& yaml) {
    auto r = parse_config(yaml);
    if (!r.ok())
        throw std::runtime_error(r.problems.front().key + ": " + r.problems.front().message);
    return r.cfg;
}

// `text` with the first `from` replaced by `to`.
std::string with(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    if (at == std::string::npos) throw std::logic_error("no " + from);
    return text.replace(at, from.size(), to);
}

std::vector<std::string> new_process_keys(const std::string& next_yaml) {
    std::vector<std::string> keys;
    for (const auto& p : new_process_changes(parsed(patroni_config), parsed(next_yaml)))
        keys.push_back(p.key);
    return keys;
}

TEST(config_reload, TheSameConfigReloadsInPlace) {
    EXPECT_TRUE(new_process_keys(patroni_config).empty());
    EXPECT_FALSE(topology_source_changed(parsed(patroni_config), parsed(patroni_config)));
}

TEST(config_reload, LimitsRoutingAndTlsSettingsOfAnEndpointReloadInPlace) {
    const auto next =
        with(with(patroni_config, "route: replica}", "route: replica, balance: leastconn}"),
             "admin:", "limits: {max_client_connections: 7, hold_timeout: 2s}\nadmin:");
    EXPECT_TRUE(new_process_keys(next).empty());
    EXPECT_FALSE(topology_source_changed(parsed(patroni_config), parsed(next)));
}

TEST(config_reload, WhatTheListenersAndCountersAreMadeOfNeedsANewProcessNamedByItsKey) {
    EXPECT_EQ(new_process_keys(with(patroni_config, "127.0.0.1:5552", "127.0.0.1:6552")),
              (std::vector<std::string>{"endpoints.read.listen"}));
    EXPECT_EQ(new_process_keys(with(patroni_config, "read: {", "reader: {")),
              (std::vector<std::string>{"endpoints.reader"}));
    EXPECT_EQ(new_process_keys(with(patroni_config,
                                    "  read: {listen: \"127.0.0.1:5552\", route: replica}\n", "")),
              (std::vector<std::string>{"endpoints"}));
    EXPECT_EQ(new_process_keys(with(patroni_config, "admin: {listen: \"127.0.0.1:5553\"}", "")),
              (std::vector<std::string>{"admin.listen"}));
    EXPECT_EQ(new_process_keys(patroni_config +
                               "threads: 3\nlog_level: debug\nlimits: {buffer_size: 32kB}\n"),
              (std::vector<std::string>{"threads", "log_level", "limits.buffer_size"}));
}

// Open sessions' keys name the instance; the peers' addresses may change in place.
TEST(config_reload, ThePeeringIdNeedsANewProcessAndThePeersReloadInPlace) {
    const std::string peered =
        patroni_config + "peering: {id: 1, peers: [{id: 2, address: \"10.0.0.2:5551\"}]}\n";
    EXPECT_TRUE(
        new_process_changes(parsed(peered), parsed(with(peered, "10.0.0.2:5551", "10.0.0.9:5551")))
            .empty());
    const auto changes =
        new_process_changes(parsed(peered), parsed(with(peered, "id: 1", "id: 3")));
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].key, "peering.id");
    EXPECT_EQ(new_process_keys(peered), (std::vector<std::string>{"peering.id"}));
}

TEST(config_reload, SwitchingBetweenPatroniAndStaticRolesNeedsANewProcess) {
    const std::string static_roles = R"(
endpoints:
  write: {listen: "127.0.0.1:5551", route: leader}
  read: {listen: "127.0.0.1:5552", route: replica}
nodes:
  - {name: pg1, host: 127.0.0.1, port: 5432, role: primary}
admin: {listen: "127.0.0.1:5553"}
)";
    const auto changes = new_process_changes(parsed(patroni_config), parsed(static_roles));
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].key, "patroni");
    EXPECT_EQ(changes[0].message, "from Patroni to static roles");
}

TEST(config_reload, OtherNodesOrPatroniSettingsNeedAnotherSource) {
    const auto running = parsed(patroni_config);
    EXPECT_TRUE(
        topology_source_changed(running, parsed(with(patroni_config, "port: 5433", "port: 5434"))));
    EXPECT_TRUE(topology_source_changed(
        running, parsed(with(patroni_config, "interval: 1s", "interval: 2s"))));
    EXPECT_TRUE(topology_source_changed(
        running, parsed(with(patroni_config, "interval: 1s}", "interval: 1s, max_lag: 5MB}"))));
    EXPECT_TRUE(topology_source_changed(
        running, parsed(with(patroni_config,
                             "  - {name: pg2, host: 127.0.0.1, port: 5433, api_url: "
                             "\"http://127.0.0.1:8009\"}\n",
                             ""))));
}

}  // namespace
}  // namespace pgroute::proxy
