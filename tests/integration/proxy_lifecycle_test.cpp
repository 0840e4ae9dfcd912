// pgroute as a process: its command line (--check, --help), its session log lines, and a
// SIGTERM that tells open sessions why they end (57P01) before exiting 0.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <csignal>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/proxy_test_cluster.h"
#include "tests/integration/proxy_test_raw_client.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text_file.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

using proxy_lifecycle = shared_suite<pg_cluster>;

constexpr std::string_view pgroute_binary = PGROUTE_BINARY;

command_result run_pgroute(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), std::string(pgroute_binary));
    return run_command({.argv = std::move(arguments)}, 10s);
}

std::uint16_t local_port(int socket) {
    sockaddr_in address{};
    socklen_t size = sizeof address;
    if (::getsockname(socket, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
        throw std::runtime_error("getsockname failed");
    }
    return ntohs(address.sin_port);
}

std::vector<std::string> lines_containing(const std::string& text, std::string_view needle) {
    std::vector<std::string> lines;
    std::size_t begin = 0;
    for (std::size_t end = text.find('\n'); end != std::string::npos;
         begin = end + 1, end = text.find('\n', begin)) {
        const std::string line = text.substr(begin, end - begin);
        if (line.find(needle) != std::string::npos) lines.push_back(line);
    }
    return lines;
}

// Every log line of the session whose start line names `client`, once its end is logged.
std::vector<std::string> session_lines(const pgroute_process& pgroute, const std::string& client) {
    const std::regex start(R"(INFO (session \S+) .* client=)" + client + " .* start\n");
    std::vector<std::string> lines;
    wait_until(
        [&] {
            const std::string log = pgroute.log_text();
            std::smatch found;
            if (!std::regex_search(log, found, start)) return false;
            lines = lines_containing(log, found[1].str() + " ");
            return std::any_of(lines.begin(), lines.end(), [](const std::string& line) {
                return line.find(" end duration=") != std::string::npos;
            });
        },
        5s, "pgroute logs the end of the session of client " + client);
    return lines;
}

// Logs `client` in as the trust role and reads up to its first ReadyForQuery.
void log_in_as_trust_role(raw_client& client) {
    client.send(startup_packet(
        {{"user", std::string(trust_role.name)}, {"database", std::string(test_database)}}));
    client.read_until_ready();
}

TEST_F(proxy_lifecycle, EachSessionLogsOneStartAndOneEndLineWithItsDetails) {
    const proxy_ports ports = proxy_ports::pick();
    pgroute_process pgroute(cluster_config(env(), ports), {ports.write, ports.read});
    struct expectation {
        std::uint16_t port;
        std::string endpoint;
        std::string node;
    };
    const std::string long_literal(10'000, 'x');
    for (const expectation& expected : {expectation{ports.write, "write", "primary"},
                                        expectation{ports.read, "read", "replica1"}}) {
        std::string client;
        {
            libpq_conn conn(loopback_conninfo(expected.port, trust_role.name, test_database));
            client = "127.0.0.1:" + std::to_string(local_port(PQsocket(conn.raw())));
            EXPECT_EQ(conn.exec_scalar("SELECT length($1)", {long_literal}), "10000");
        }
        const std::vector<std::string> lines = session_lines(pgroute, client);
        ASSERT_EQ(lines.size(), 2u) << pgroute.log_text();
        const std::string identity = "endpoint=" + expected.endpoint + " client=" + client +
                                     " user=" + std::string(trust_role.name) +
                                     " database=" + std::string(test_database) +
                                     " node=" + expected.node;
        EXPECT_TRUE(lines[0].ends_with(identity + " start")) << lines[0];
        std::smatch end;
        ASSERT_TRUE(std::regex_search(
            lines[1], end,
            std::regex(identity +
                       R"( end duration=[0-9]+\.[0-9]{3}s bytes_in=([0-9]+) bytes_out=([0-9]+) )")))
            << lines[1];
        // The client sent the 10 kB literal; the server's replies include the greeting.
        EXPECT_GT(std::stoull(end[1].str()), 10'000u) << lines[1];
        EXPECT_GT(std::stoull(end[2].str()), 100u) << lines[1];
    }
    EXPECT_NO_THROW(pgroute.stop());
}

TEST_F(proxy_lifecycle, SigtermEndsAnOpenSessionWith57P01AndExitsZero) {
    const proxy_ports ports = proxy_ports::pick();
    pgroute_process pgroute(cluster_config(env(), ports), {ports.write, ports.read});
    raw_client client(ports.write);
    log_in_as_trust_role(client);

    EXPECT_NO_THROW(pgroute.stop());  // throws unless pgroute exits 0
    const protocol::parsed_error error = client.read_error(1s);
    EXPECT_EQ(error.severity, "FATAL");
    EXPECT_EQ(error.sqlstate, "57P01") << error.message;
    EXPECT_TRUE(client.closes_without_more_data(1s));
    EXPECT_NE(pgroute.log_text().find("received SIGTERM"), std::string::npos);
}

// The client reads nothing while the server streams a large result, so pgroute is in the middle
// of relaying when SIGTERM comes: shutdown must not depend on the client reading, nor on the
// relay waiting on the server at that very moment.
TEST_F(proxy_lifecycle, SigtermEndsASessionThatIsStreamingAResultAndExitsZero) {
    const proxy_ports ports = proxy_ports::pick();
    pgroute_process pgroute(cluster_config(env(), ports), {ports.write, ports.read});
    raw_client client(ports.write);
    log_in_as_trust_role(client);
    client.send(query_message("SELECT repeat('x', 8192) FROM generate_series(1, 100000)"));
    const auto first = client.read_message();
    ASSERT_TRUE(first.has_value());
    ASSERT_EQ(first->type, 'T');         // RowDescription: the rows are on their way
    std::this_thread::sleep_for(200ms);  // until the socket buffers on the way are full

    EXPECT_NO_THROW(pgroute.stop());  // throws unless pgroute exits 0 within 10 s
    // What was already in flight may still arrive (an 800 MB result could not), then the close.
    EXPECT_TRUE(client.closes_after_at_most(64u << 20));
}

TEST(pgroute_cli, CheckOfABadConfigExitsOneAndNamesEachProblemByItsKey) {
    const temp_dir dir("pgroute-cli");
    const auto path = dir.path() / "bad.yaml";
    write_text(path,
               "endpoints:\n"
               "  write:\n"
               "    listen: nowhere\n"
               "    route: leader\n"
               "nodes:\n"
               "  - name: pg1\n"
               "    port: 5432\n"
               "    role: boss\n"
               "limits:\n"
               "  startup_timeout: soon\n");
    const command_result result = run_pgroute({"--check", "-c", path.string()});
    EXPECT_EQ(result.exit_code, 1) << result.output;
    for (const std::string key : {"endpoints.write.listen: ", "nodes[0].host: ", "nodes[0].role: ",
                                  "limits.startup_timeout: "}) {
        EXPECT_NE(result.output.find(path.string() + ": " + key), std::string::npos)
            << "no problem reported for " << key << " in:\n"
            << result.output;
    }
    EXPECT_NE(result.output.find("4 problem(s) found"), std::string::npos) << result.output;
}

TEST(pgroute_cli, CheckOfAGoodConfigExitsZero) {
    const temp_dir dir("pgroute-cli");
    const auto path = dir.path() / "good.yaml";
    write_text(path, static_config(5432, {5433}, 6551, 6552));
    const command_result result = run_pgroute({"--check", "-c", path.string()});
    EXPECT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("configuration is valid"), std::string::npos) << result.output;
}

TEST(pgroute_cli, CheckOfTheShippedExampleConfigExitsZero) {
    const command_result result =
        run_pgroute({"--check", "-c", std::string(PGROUTE_SOURCE_DIR) + "/conf/pgroute.yaml"});
    EXPECT_EQ(result.exit_code, 0) << result.output;
}

// Its listeners use SO_REUSEPORT (one per worker thread), which would also let a second process
// join the ports and silently take a share of the clients.
TEST(pgroute_cli, ASecondPgrouteOnTheSamePortsExitsOneInsteadOfSharingThem) {
    const proxy_ports ports = proxy_ports::pick();
    const std::string config = static_config(5432, {5433}, ports.write, ports.read);
    const pgroute_process first(config, {ports.write, ports.read});
    const temp_dir dir("pgroute-cli");
    const auto path = dir.path() / "same-ports.yaml";
    write_text(path, config);
    const command_result second = run_pgroute({"-c", path.string()});
    EXPECT_EQ(second.exit_code, 1) << second.output;
    EXPECT_NE(second.output.find("cannot listen on 127.0.0.1:" + std::to_string(ports.write) +
                                 " (endpoint write): Address already in use"),
              std::string::npos)
        << second.output;
}

TEST(pgroute_cli, HelpExitsZeroAndPrintsUsage) {
    const command_result result = run_pgroute({"--help"});
    EXPECT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("Usage:"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("--check"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace pgroute::test_support
