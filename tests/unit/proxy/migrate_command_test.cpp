// `pgroute migrate-haproxy FILE`: the YAML on stdout and exit 0, or one FILE:LINE line and 1.
#include "proxy/app/migrate_command.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "proxy/migrate/migrate_haproxy.h"

namespace pgroute::proxy {
namespace {

struct command_output {
    int status = 0;
    std::string out;
    std::string err;
};

command_output run_on(const std::string& name, const std::string& content) {
    const std::string path = ::testing::TempDir() + name;
    std::ofstream(path, std::ios::binary) << content;
    std::ostringstream out;
    std::ostringstream err;
    const int status = print_migration(path, out, err);
    return {status, out.str(), err.str()};
}

TEST(migrate_command, prints_the_yaml_and_exits_zero) {
    const auto result = run_on("ok.cfg",
                               "listen w\n  bind :5551\n  option httpchk GET /primary\n"
                               "  server a 10.0.0.1:5432 check port 8008\n");
    EXPECT_EQ(result.status, 0);
    EXPECT_NE(result.out.find("route: leader"), std::string::npos);
    EXPECT_EQ(result.err, "");
}

TEST(migrate_command, an_unparsable_line_is_one_line_naming_file_and_line) {
    const auto result = run_on("bad.cfg", "listen w\n  bind \"*:5551\n");
    EXPECT_EQ(result.status, 1);
    EXPECT_EQ(result.out, "");
    EXPECT_EQ(result.err,
              ::testing::TempDir() + "bad.cfg:2: cannot parse: unterminated double quote\n");
}

TEST(migrate_command, a_file_over_the_limit_is_refused_without_reading_it_all) {
    const auto result = run_on("huge.cfg", std::string(migrate::max_haproxy_cfg_bytes + 10, '#'));
    EXPECT_EQ(result.status, 1);
    EXPECT_NE(result.err.find("huge.cfg: larger than 1 MiB"), std::string::npos);
}

TEST(migrate_command, a_missing_file_is_an_error) {
    std::ostringstream out;
    std::ostringstream err;
    EXPECT_EQ(print_migration("/nonexistent/haproxy.cfg", out, err), 1);
    EXPECT_EQ(err.str(), "/nonexistent/haproxy.cfg: cannot read the file\n");
}

}  // namespace
}  // namespace pgroute::proxy
