#include <gtest/gtest.h>

#include "proxy/app/admin_address.h"
#include "proxy/app/cli.h"
#include "proxy/app/status_table.h"

namespace pgroute::proxy {
namespace {

std::variant<cli_options, cli_error> parse(std::vector<const char*> args) {
    args.insert(args.begin(), "pgroute");
    return parse_cli(static_cast<int>(args.size()), args.data());
}

TEST(status_command, StatusIsASubcommandWithAnOptionalUrl) {
    const auto o = std::get<cli_options>(parse({"status", "--url", "http://127.0.0.1:9"}));
    EXPECT_EQ(o.cmd, command::status);
    EXPECT_EQ(o.admin_url, "http://127.0.0.1:9");
    EXPECT_EQ(std::get<cli_options>(parse({"status", "-c", "x.yaml"})).config_path, "x.yaml");
}

TEST(status_command, StatusOnlyCountsAsTheFirstWord) {
    EXPECT_EQ(std::get<cli_error>(parse({"-c", "x.yaml", "status"})).message,
              "unknown argument 'status'");
}

TEST(status_command, UrlWithoutStatusIsAnError) {
    EXPECT_EQ(std::get<cli_error>(parse({"--url", "http://x:1"})).message,
              "--url goes with pgroute status, drain or undrain");
    EXPECT_EQ(std::get<cli_error>(parse({"status", "--url"})).message, "--url needs an address");
}

TEST(status_command, DrainAndUndrainNameTheirNodeAndTakeAUrl) {
    const auto drain = std::get<cli_options>(parse({"drain", "pg2", "--url", "http://h:1"}));
    EXPECT_EQ(drain.cmd, command::drain);
    EXPECT_EQ(drain.node, "pg2");
    EXPECT_EQ(drain.admin_url, "http://h:1");
    const auto undrain = std::get<cli_options>(parse({"undrain", "pg2", "-c", "x.yaml"}));
    EXPECT_EQ(undrain.cmd, command::undrain);
    EXPECT_EQ(undrain.node, "pg2");
    EXPECT_EQ(undrain.config_path, "x.yaml");
    EXPECT_EQ(std::get<cli_error>(parse({"drain"})).message, "drain needs the name of a node");
    EXPECT_EQ(std::get<cli_error>(parse({"undrain", "-c", "x.yaml"})).message,
              "undrain needs the name of a node");
}

TEST(status_command, AdminUrlComesFromAdminListenWithWildcardsMadeLoopback) {
    config cfg;
    EXPECT_EQ(admin_url(cfg), "http://127.0.0.1:5553");
    cfg.admin = admin_config{{"0.0.0.0", 9000}};
    EXPECT_EQ(admin_url(cfg), "http://127.0.0.1:9000");
    cfg.admin = admin_config{{"::", 9000}};
    EXPECT_EQ(admin_url(cfg), "http://[::1]:9000");
    cfg.admin = admin_config{{"10.1.2.3", 80}};
    EXPECT_EQ(admin_url(cfg), "http://10.1.2.3:80");
}

constexpr std::string_view topology_document = R"({
  "mode": "patroni", "generation": 9, "write_target": "pg1", "no_write_target_reason": "",
  "leader_changes": 2,
  "nodes": [
    {"name": "pg1", "host": "127.0.0.1", "port": 5432, "role": "leader", "state": "running",
     "up": true, "write_target": true, "readable": false, "not_readable_reason": "",
     "lag_bytes": null, "lag_seconds": null, "timeline": 3, "sessions": 12},
    {"name": "pg2", "host": "127.0.0.1", "port": 5433, "role": "replica", "state": "running",
     "up": true, "write_target": false, "readable": true, "not_readable_reason": "",
     "lag_bytes": 3145728, "lag_seconds": 0.5, "timeline": 3, "sessions": 4},
    {"name": "pg3", "host": "127.0.0.1", "port": 5434, "role": "replica", "state": "stopped",
     "up": false, "write_target": false, "readable": false, "not_readable_reason": "down",
     "lag_bytes": null, "lag_seconds": null, "timeline": null, "sessions": 0}
  ],
  "endpoints": [], "recent_events": []
})";

TEST(status_table, PrintsOneRowPerNodeLikePatronictl) {
    const auto table = std::get<std::string>(format_status_table(topology_document));
    EXPECT_EQ(
        table,
        R"(+ pgroute (patroni): write target pg1 ---------+----+-----------+---------+----------+----------+
| Member | Host           | Role     | State   | TL | Lag in MB | Lag (s) | Reads    | Sessions |
+--------+----------------+----------+---------+----+-----------+---------+----------+----------+
| pg1    | 127.0.0.1:5432 | leader * | running |  3 |           |         | -        |       12 |
| pg2    | 127.0.0.1:5433 | replica  | running |  3 |         3 |     0.5 | yes      |        4 |
| pg3    | 127.0.0.1:5434 | replica  | stopped |    |           |         | no: down |        0 |
+--------+----------------+----------+---------+----+-----------+---------+----------+----------+
* write target; leader changes seen: 2
)") << table;
}

TEST(status_table, SaysWhyThereIsNoWriteTarget) {
    std::string document(topology_document);
    document.replace(document.find("\"write_target\": \"pg1\""), 21, "\"write_target\": null");
    document.replace(document.find("\"no_write_target_reason\": \"\""), 28,
                     "\"no_write_target_reason\": \"no running leader\"");
    const auto table = std::get<std::string>(format_status_table(document));
    EXPECT_NE(table.find("no write target (no running leader)"), std::string::npos) << table;
}

TEST(status_table, ADocumentOfAnotherShapeIsAnError) {
    EXPECT_TRUE(std::holds_alternative<status_table_error>(format_status_table("{}")));
    EXPECT_TRUE(std::holds_alternative<status_table_error>(format_status_table("not json")));
}

}  // namespace
}  // namespace pgroute::proxy
