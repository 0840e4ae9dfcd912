// pgbench as the tests run it through pgroute, and what they check of its report.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <regex>
#include <string>

#include "tests/support/pg_cluster.h"
#include "tests/support/pg_server.h"
#include "tests/support/process.h"
#include "tests/support/text_file.h"

namespace pgroute::test_support {

// 4 clients on 2 threads for `seconds` through 127.0.0.1:port as the superuser, each transaction
// a `SELECT 1` on a connection of its own (-C): what a listener that refuses for a moment fails.
// At most 200 per second (-R): unbounded, each connection and pgroute's to the node leave an
// ephemeral port in TIME_WAIT, thousands a second, which the tests running beside this one need.
// The script is written to `script`.
[[nodiscard]] inline command_line pgbench_new_connection_per_transaction(
    std::uint16_t port, const std::filesystem::path& script, int seconds) {
    write_text(script, "SELECT 1;\n");
    return {.argv = {pg_program("pgbench"),
                     "-h",
                     "127.0.0.1",
                     "-p",
                     std::to_string(port),
                     "-U",
                     std::string(superuser),
                     "-n",
                     "-C",
                     "-R",
                     "200",
                     "-c",
                     "4",
                     "-j",
                     "2",
                     "-T",
                     std::to_string(seconds),
                     "-f",
                     script.string(),
                     std::string(test_database)}};
}

// pgbench exited 0 and reports no failed transaction and more than none processed.
inline void expect_clean_pgbench_run(const command_result& result) {
    EXPECT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("number of failed transactions: 0 "), std::string::npos)
        << result.output;
    std::smatch processed;
    ASSERT_TRUE(
        std::regex_search(result.output, processed,
                          std::regex(R"(number of transactions actually processed: (\d+))")))
        << result.output;
    EXPECT_GT(std::stoll(processed[1].str()), 0) << result.output;
}

}  // namespace pgroute::test_support
