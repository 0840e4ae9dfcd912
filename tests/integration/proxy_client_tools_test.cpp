// PostgreSQL's own client programs (pgbench, psql) through pgroute, as an operator would use
// them, with nothing but host and port changed.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <regex>
#include <string>
#include <vector>

#include "tests/integration/pgbench_run.h"
#include "tests/integration/proxy_test_cluster.h"
#include "tests/support/process.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

using proxy_client_tools = shared_suite<proxied_cluster>;

// `program` from PostgreSQL's bin directory with the options that point it at 127.0.0.1:port.
std::vector<std::string> pg_tool(std::string_view program, std::uint16_t port) {
    return {pg_program(program),  "-h", "127.0.0.1",           "-p",
            std::to_string(port), "-U", std::string(superuser)};
}

command_result run_tool(std::vector<std::string> argv, std::chrono::milliseconds timeout = 60s) {
    return run_command({.argv = std::move(argv), .env = {"PGCONNECT_TIMEOUT=5"}}, timeout);
}

TEST_F(proxy_client_tools, PgbenchRunsThroughTheWritePortWithoutFailedTransactions) {
    auto init = pg_tool("pgbench", env().ports.write);
    init.insert(init.end(), {"-i", std::string(test_database)});
    const command_result initialized = run_tool(init);
    ASSERT_EQ(initialized.exit_code, 0) << initialized.output;

    auto bench = pg_tool("pgbench", env().ports.write);
    bench.insert(bench.end(), {"-T", "5", "-c", "4", "-j", "2", std::string(test_database)});
    const command_result result = run_tool(bench);
    expect_clean_pgbench_run(result);
    std::smatch tps;
    if (std::regex_search(result.output, tps, std::regex(R"(tps = [0-9.]+)"))) {
        std::cout << "pgbench -c 4 -j 2 through pgroute: " << tps[0] << "\n";
    }
}

// Many sessions at once keep every relay busy in both directions, with writes that meet full
// socket buffers: a wakeup the event loop loses leaves pgbench waiting for an answer that never
// comes, and the run ends by the timeout instead.
TEST_F(proxy_client_tools, PgbenchSelectOnlyWith32ClientsFinishes) {
    auto init = pg_tool("pgbench", env().ports.write);
    init.insert(init.end(), {"-i", std::string(test_database)});
    const command_result initialized = run_tool(init);
    ASSERT_EQ(initialized.exit_code, 0) << initialized.output;

    auto bench = pg_tool("pgbench", env().ports.write);
    bench.insert(bench.end(),
                 {"-S", "-n", "-T", "5", "-c", "32", "-j", "2", std::string(test_database)});
    const command_result result = run_tool(bench, 45s);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("number of failed transactions: 0 "), std::string::npos)
        << result.output;
}

TEST_F(proxy_client_tools, PsqlCommandWorksThroughBothPorts) {
    struct expectation {
        std::uint16_t proxy_port;
        pg_node node;
        std::string in_recovery;
    };
    for (const expectation& expected : {expectation{env().ports.write, pg_node::primary, "f"},
                                        expectation{env().ports.read, pg_node::replica, "t"}}) {
        auto psql = pg_tool("psql", expected.proxy_port);
        psql.insert(psql.end(),
                    {"-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", std::string(test_database),
                     "-c", "SELECT pg_is_in_recovery(), inet_server_port()"});
        const command_result result = run_tool(psql, 20s);
        EXPECT_EQ(result.exit_code, 0) << result.output;
        EXPECT_EQ(result.output, expected.in_recovery + "|" +
                                     std::to_string(env().cluster.port(expected.node)) + "\n");
    }
}

}  // namespace
}  // namespace pgroute::test_support
