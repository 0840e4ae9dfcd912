// pgroute in front of a real Patroni cluster whose REST APIs serve https (a certificate for
// 127.0.0.1 from the test CA, restapi.verify_client: optional) and ask for basic auth
// (restapi.authentication): pgroute polls them with patroni.api_ca_file, api_username and
// api_password (and api_cert_file/api_key_file for a client certificate). An API whose
// certificate does not verify is unreachable: the node is down, and without a leader new write
// sessions get FATAL 57P03.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/integration/patroni_pgroute_suite.h"
#include "tests/support/libpq_conn.h"
#include "tests/support/patroni_cluster.h"
#include "tests/support/pgroute_process.h"
#include "tests/support/ports.h"
#include "tests/support/process.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

constexpr auto cluster_settle_timeout = 90s;
// The first poll of each node fails and is logged at once; the bound allows a loaded host.
constexpr auto failed_poll_timeout = 15s;
// pgroute polls every 500 ms: a few rounds in which a failure would have been logged.
constexpr auto quiet_rounds = 3s;
// How long a session waits for a node when none can serve it, in the tests where none can.
const std::string unreachable_hold = "1s";
constexpr auto switchover_timeout = 60s;

std::string lowercase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// The lines of `log` that contain `needle`.
std::vector<std::string> lines_with(const std::string& log, std::string_view needle) {
    std::vector<std::string> found;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        if (line.find(needle) != std::string::npos) found.push_back(line);
    }
    return found;
}

// What a login through pgroute failed with; empty sqlstate if it did not fail.
struct login_refusal {
    std::string sqlstate;
    std::string message;
};

login_refusal login_failure(std::uint16_t port) {
    try {
        libpq_conn session(proxied_conninfo(port));
        return {};
    } catch (const pg_error& error) {
        return {error.sqlstate(), error.what()};
    }
}

// curl's HTTP status code for a request to a REST API ("000" if none came back).
std::string http_status(const std::vector<std::string>& curl_options, const std::string& url) {
    command_line command{
        .argv = {"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5"}};
    command.argv.insert(command.argv.end(), curl_options.begin(), curl_options.end());
    command.argv.push_back(url);
    return run_command(command, 15s).output;
}

class patroni_api_tls : public patroni_pgroute_suite {
  protected:
    static void SetUpTestSuite() {
        start_cluster({.api_tls = true, .api_verify_client = "optional"});
    }
    // Writes land on the leader, reads on both replicas, and no poll has failed: every outcome
    // line pgroute logs ("NODE: GET /patroni OUTCOME", "NODE: GET /cluster OUTCOME") is a
    // change away from ok, the state it starts in.
    void expect_routes_without_failed_polls() {
        ASSERT_NO_THROW(
            cluster().wait_until_proxy_routes(write_port(), read_port(), routing_timeout));
        libpq_conn write(proxied_conninfo(write_port()));
        EXPECT_EQ(write.exec_scalar("SELECT pg_is_in_recovery()"), "f");
        EXPECT_EQ(cluster().node_serving(write), leader_);
        std::this_thread::sleep_for(quiet_rounds);
        const std::string log = pgroute_log();
        EXPECT_EQ(log.find("GET /patroni"), std::string::npos) << log;
        EXPECT_EQ(log.find("GET /cluster"), std::string::npos) << log;
    }

    // Every node's first poll fails as unreachable, with an error that contains `reason`
    // (lowercase; "" for any); no node becomes a write target or a readable replica.
    void expect_every_node_unreachable(std::string_view reason) {
        for (const std::string_view node : patroni_node_names) {
            const std::string needle = std::string(node) + ": GET /patroni unreachable: ";
            ASSERT_NO_THROW(wait_until([&] { return !lines_with(pgroute_log(), needle).empty(); },
                                       failed_poll_timeout, "pgroute logs " + needle));
            const std::vector<std::string> lines = lines_with(pgroute_log(), needle);
            EXPECT_NE(lowercase(lines.front()).find(reason), std::string::npos) << lines.front();
        }
        std::this_thread::sleep_for(quiet_rounds);
        const std::string log = pgroute_log();
        EXPECT_EQ(log.find("GET /patroni ok"), std::string::npos) << log;
        EXPECT_EQ(log.find("GET /cluster"), std::string::npos) << log;

        // Each waited hold_timeout for a node before it was refused.
        const login_refusal write = login_failure(write_port());
        EXPECT_EQ(write.sqlstate, "57P03") << write.message;
        EXPECT_NE(write.message.find("FATAL"), std::string::npos) << write.message;
        EXPECT_NE(write.message.find("(waited "), std::string::npos) << write.message;
        const login_refusal read = login_failure(read_port());
        EXPECT_EQ(read.sqlstate, "57P03") << read.message;
    }
};

// The cluster itself, before pgroute: https only, verified by the test CA, and basic auth on
// the unsafe methods (Patroni 3.0 leaves GET open; with verify_client: optional they also need
// a client certificate, else 403).
TEST_F(patroni_api_tls, RestApisServeHttpsOnlyAndAskForCredentials) {
    const std::string ca = cluster().api_ca_file().string();
    for (const std::string_view node : patroni_node_names) {
        const std::string url = cluster().api_url(node);
        ASSERT_EQ(url.rfind("https://127.0.0.1:", 0), 0u) << url;
        EXPECT_EQ(http_status({"--cacert", ca}, url + "/patroni"), "200") << node;
        EXPECT_EQ(
            http_status({"--cacert", cluster().certs().other_ca_cert.string()}, url + "/patroni"),
            "000")
            << node << ": the API's certificate verified against an unrelated CA";
        const std::string plain = "http://127.0.0.1:" + std::to_string(cluster().api_port(node));
        EXPECT_NE(http_status({}, plain + "/patroni"), "200") << node << " answered plain http";
    }
    const std::string config = cluster().api_url(leader_) + "/config";
    const std::vector<std::string> patch = {"--cacert", ca, "-X", "PATCH", "-d", "{}"};
    std::vector<std::string> with_certificate = patch;
    with_certificate.insert(with_certificate.end(),
                            {"--cert", cluster().certs().client_cert.string(), "--key",
                             cluster().certs().client_key.string()});
    EXPECT_EQ(http_status(patch, config), "403");
    EXPECT_EQ(http_status(with_certificate, config), "401");
    with_certificate.insert(with_certificate.end(), {"-u", cluster().api_username() + ":wrong"});
    EXPECT_EQ(http_status(with_certificate, config), "401");
    // The class's own requests carry what it takes.
    EXPECT_FALSE(cluster().patroni_role(leader_).empty());
}

TEST_F(patroni_api_tls, WithTheRightCaWritesReachTheLeaderAndReadsBothReplicas) {
    start_pgroute();
    expect_routes_without_failed_polls();
}

TEST_F(patroni_api_tls, WithAWrongCaNoNodeIsReachableAndWritesGet57P03) {
    start_pgroute(
        {.api_ca_file = cluster().certs().other_ca_cert, .hold_timeout = unreachable_hold});
    expect_every_node_unreachable("certificate");
}

// verify_client: optional checks a client certificate that is presented.
TEST_F(patroni_api_tls, AClientCertificateFromTheTestCaIsAccepted) {
    start_pgroute({.api_cert_file = cluster().certs().client_cert,
                   .api_key_file = cluster().certs().client_key});
    expect_routes_without_failed_polls();
}

TEST_F(patroni_api_tls, AClientCertificateFromAnotherCaIsRefused) {
    start_pgroute({.api_cert_file = cluster().certs().other_client_cert,
                   .api_key_file = cluster().certs().other_client_key,
                   .hold_timeout = unreachable_hold});
    expect_every_node_unreachable("");
}

// patronictl asks the leader's API for the switchover (over https, with the credentials); the
// leader checks the candidate's API before it steps down. pgroute follows the new leader.
TEST_F(patroni_api_tls, SwitchoverWorksOverHttpsAndPgrouteFollowsIt) {
    start_pgroute();
    ASSERT_NO_THROW(cluster().wait_until_proxy_routes(write_port(), read_port(), routing_timeout));
    const std::string old_leader = leader_;
    const std::string candidate = replicas_.front();
    const std::size_t old_leader_logged = cluster().patroni_log(old_leader).size();

    ASSERT_NO_THROW(cluster().switchover(candidate));
    ASSERT_NO_THROW(wait_until(
        [&] {
            try {
                return cluster().node_behind(write_port()) == candidate;
            } catch (const pg_error&) {
                return false;  // no write target during the switchover
            }
        },
        switchover_timeout, "new write sessions land on " + candidate));
    libpq_conn write(proxied_conninfo(write_port()));
    EXPECT_EQ(write.exec_scalar("SELECT pg_is_in_recovery()"), "f");
    write.exec("CREATE TABLE IF NOT EXISTS api_tls_switchover (id int)");
    write.exec("INSERT INTO api_tls_switchover VALUES (1)");

    // Patroni's own calls to the members' APIs went over https too. (Each API's server side
    // logs the TLS errors of the other cases' clients: those are not Patroni's own.)
    // Before it steps down, the leader asks the candidate's API whether it is fit to take over.
    const std::string checked = "Got response from " + candidate + " https://127.0.0.1:";
    const std::string since_switchover =
        cluster().patroni_log(old_leader).substr(old_leader_logged);
    EXPECT_NE(since_switchover.find(checked), std::string::npos) << since_switchover;
    for (const std::string_view node : patroni_node_names) {
        for (const std::string& line :
             lines_with(cluster().patroni_log(node), "Request failed to")) {
            EXPECT_EQ(line.find("SSL"), std::string::npos) << node << ": " << line;
        }
    }

    // Once the old leader streams from the new one, pgroute reads from it again.
    ASSERT_NO_THROW(cluster().wait_until_healthy(cluster_settle_timeout));
    leader_ = candidate;
    EXPECT_NO_THROW(
        cluster().wait_until_proxy_routes(write_port(), read_port(), cluster_settle_timeout));
    const std::string log = lowercase(pgroute_log());
    EXPECT_EQ(log.find("certificate"), std::string::npos) << pgroute_log();
    EXPECT_EQ(log.find("handshake"), std::string::npos) << pgroute_log();
}

}  // namespace
}  // namespace pgroute::test_support
