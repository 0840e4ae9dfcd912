#include "proxy/app/cli.h"

#include <gtest/gtest.h>

namespace pgroute::proxy {
namespace {

std::variant<cli_options, cli_error> parse(std::vector<const char*> args) {
    args.insert(args.begin(), "pgroute");
    return parse_cli(static_cast<int>(args.size()), args.data());
}

TEST(cli, DefaultsToRunWithTheSystemConfig) {
    const auto o = std::get<cli_options>(parse({}));
    EXPECT_EQ(o.cmd, command::run);
    EXPECT_EQ(o.config_path, "/etc/pgroute/pgroute.yaml");
}

TEST(cli, CheckModeWithConfigFile) {
    const auto o = std::get<cli_options>(parse({"--check", "-c", "x.yaml"}));
    EXPECT_EQ(o.cmd, command::check);
    EXPECT_EQ(o.config_path, "x.yaml");
}

TEST(cli, LongConfigOptionWithEquals) {
    EXPECT_EQ(std::get<cli_options>(parse({"--config=y.yaml"})).config_path, "y.yaml");
}

TEST(cli, HelpAndVersion) {
    EXPECT_EQ(std::get<cli_options>(parse({"--help"})).cmd, command::help);
    EXPECT_EQ(std::get<cli_options>(parse({"-V"})).cmd, command::version);
}

TEST(cli, MissingConfigValueIsAnError) {
    EXPECT_EQ(std::get<cli_error>(parse({"-c"})).message, "-c needs a file name");
}

TEST(cli, UnknownArgumentIsAnError) {
    EXPECT_EQ(std::get<cli_error>(parse({"--frobnicate"})).message,
              "unknown argument '--frobnicate'");
}

TEST(cli, MigrateHaproxyTakesTheHaproxyCfg) {
    const auto o = std::get<cli_options>(parse({"migrate-haproxy", "/etc/haproxy/haproxy.cfg"}));
    EXPECT_EQ(o.cmd, command::migrate_haproxy);
    EXPECT_EQ(o.haproxy_cfg_path, "/etc/haproxy/haproxy.cfg");
    EXPECT_EQ(std::get<cli_error>(parse({"migrate-haproxy"})).message,
              "migrate-haproxy needs a haproxy.cfg file");
    EXPECT_TRUE(std::holds_alternative<cli_error>(parse({"migrate-haproxy", "a", "b"})));
}

TEST(cli, HelpNamesEverySubcommand) {
    for (const char* subcommand : {"--check", "status", "migrate-haproxy", "--version"}) {
        EXPECT_NE(usage_text().find(subcommand), std::string::npos) << subcommand;
    }
}

}  // namespace
}  // namespace pgroute::proxy
