// A node, or a Patroni API, given by a host name that the DNS server never answers for: pgroute
// gives up on the name at its deadline (connect_timeout, patroni.timeout), keeps serving, and
// stops at once even while getaddrinfo still hangs.
//
// The hang is real: this test's main thread enters a mount namespace of its own, where
// /etc/resolv.conf names a loopback address on which the test holds a UDP socket that reads
// nothing and answers nothing, with a 30 s timeout and one attempt. pgroute, started from that
// thread, inherits the namespace; nothing outside the test sees it.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>

#include <chrono>
#include <random>
#include <string>
#include <system_error>

#include "tests/integration/admin_test_client.h"
#include "tests/integration/proxy_test_cluster.h"
#include "tests/integration/proxy_test_raw_client.h"
#include "tests/support/text_file.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// Not in /etc/hosts, so glibc asks the DNS server for it.
constexpr std::string_view hanging_host = "db1.pgroute-hang.invalid";
constexpr std::string_view hanging_api_host = "api1.pgroute-hang.invalid";

// A DNS server that never answers, on port 53 of a random loopback address.
class silent_dns_server {
  public:
    silent_dns_server() : socket_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket") {
        std::random_device entropy;
        for (int attempt = 0;; ++attempt) {
            sockaddr_in at{};
            at.sin_family = AF_INET;
            at.sin_port = htons(53);
            at.sin_addr.s_addr = htonl((127U << 24) | (1U + entropy() % 0xfffffe));
            if (::bind(socket_.get(), reinterpret_cast<sockaddr*>(&at), sizeof at) == 0) {
                char text[INET_ADDRSTRLEN];
                address_ = ::inet_ntop(AF_INET, &at.sin_addr, text, sizeof text);
                return;
            }
            if (errno != EADDRINUSE || attempt == 20)
                throw std::system_error(errno, std::generic_category(), "bind a UDP port 53");
        }
    }

    [[nodiscard]] const std::string& address() const { return address_; }

    // Whether a query naming `label` (one label of a host name) has arrived since the last call.
    [[nodiscard]] bool was_asked_about(std::string_view label) {
        bool asked = false;
        char datagram[512];
        for (;;) {
            const ssize_t n = ::recv(socket_.get(), datagram, sizeof datagram, MSG_DONTWAIT);
            if (n <= 0) return asked;
            asked = asked || std::string_view(datagram, static_cast<std::size_t>(n)).find(label) !=
                                 std::string_view::npos;
        }
    }

  private:
    unique_fd socket_;
    std::string address_;
};

// The calling thread (and every process it starts) in a mount namespace where the DNS server is
// `dns`. For the rest of this test process: only this binary's tests run in it.
void resolve_through(const silent_dns_server& dns, const temp_dir& dir) {
    const auto resolv_conf = dir.path() / "resolv.conf";
    write_text(resolv_conf, "nameserver " + dns.address() + "\noptions timeout:30 attempts:1\n");
    if (::unshare(CLONE_NEWNS) != 0 ||
        ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        ::mount(resolv_conf.c_str(), "/etc/resolv.conf", nullptr, MS_BIND, nullptr) != 0) {
        throw std::system_error(errno, std::generic_category(),
                                "a mount namespace with its own /etc/resolv.conf (needs root)");
    }
}

struct hanging_resolver_env {
    silent_dns_server dns;
    temp_dir dir{"pgroute-resolver"};
    pg_cluster cluster;

    hanging_resolver_env() { resolve_through(dns, dir); }
};

using hanging_resolver = shared_suite<hanging_resolver_env>;

[[nodiscard]] double seconds(steady::duration elapsed) {
    return std::chrono::duration<double>(elapsed).count();
}

// Node "db1" by the hanging name on the write endpoint, node "db2" (the cluster's primary) by
// address on the read endpoint; one worker thread, so that both sessions share it.
[[nodiscard]] std::string node_by_hanging_name_config(const pg_cluster& cluster, proxy_ports ports,
                                                      std::uint16_t admin_port) {
    return "threads: 1\n"
           "endpoints:\n"
           "  write: {listen: \"127.0.0.1:" +
           std::to_string(ports.write) +
           "\", route: leader}\n"
           "  read: {listen: \"127.0.0.1:" +
           std::to_string(ports.read) +
           "\", route: replica}\n"
           "nodes:\n"
           "  - {name: db1, host: " +
           std::string(hanging_host) +
           ", port: 5432, role: primary}\n"
           "  - {name: db2, host: 127.0.0.1, port: " +
           std::to_string(cluster.port(pg_node::primary)) +
           ", role: replica}\n"
           "limits:\n"
           "  connect_timeout: 1s\n" +
           admin_section(admin_port);
}

// The FATAL a client gets from the write endpoint, and how long it took.
[[nodiscard]] std::pair<protocol::parsed_error, steady::duration> refusal_on(std::uint16_t port) {
    const auto start = steady::now();
    raw_client client(port);
    client.send(startup_packet(
        {{"user", std::string(superuser)}, {"database", std::string(test_database)}}));
    protocol::parsed_error error = client.read_error();
    return {std::move(error), steady::now() - start};
}

TEST_F(hanging_resolver, node_by_name_is_refused_within_connect_timeout_and_pgroute_stays_well) {
    const proxy_ports ports = proxy_ports::pick();
    const std::uint16_t admin_port = free_port();
    pgroute_process pgroute(node_by_hanging_name_config(env().cluster, ports, admin_port),
                            {ports.write, ports.read, admin_port});
    const std::string cause =
        "resolving " + std::string(hanging_host) + " took longer than connect_timeout 1s";

    const auto [first, first_took] = refusal_on(ports.write);
    EXPECT_EQ(first.severity, "FATAL");
    EXPECT_EQ(first.sqlstate, "08006") << first.message;
    EXPECT_NE(first.message.find("node \"db1\" (" + std::string(hanging_host) + ":5432): " + cause),
              std::string::npos)
        << first.message;
    EXPECT_LT(seconds(first_took), 5.0) << "getaddrinfo hangs for 30 s";
    // The lookup really went to the silent server, and is hanging there still.
    EXPECT_TRUE(env().dns.was_asked_about("db1"));

    // The worker was not blocked: a session on the same thread is served, a second one to db1
    // is refused as fast, and the admin thread answers.
    EXPECT_EQ(libpq_conn(loopback_conninfo(ports.read, superuser, test_database))
                  .exec_scalar("SELECT 'served beside a hanging lookup'"),
              "served beside a hanging lookup");
    const auto [second, second_took] = refusal_on(ports.write);
    EXPECT_EQ(second.sqlstate, "08006") << second.message;
    EXPECT_LT(seconds(second_took), 5.0);
    EXPECT_EQ(http_get_loopback(admin_port, "/health").status, 200);
    wait_until([&] { return occurrences(pgroute.log_text(), cause) == 2; }, 5s,
               "pgroute has logged the cause once per refused session");

    // SIGTERM while getaddrinfo still hangs: a clean exit, without waiting for it.
    const auto stopping = steady::now();
    EXPECT_NO_THROW(pgroute.stop());
    EXPECT_LT(seconds(steady::now() - stopping), 5.0);
    EXPECT_EQ(occurrences(pgroute.log_text(), cause), 2U) << pgroute.log_text();
}

// Patroni mode with one member whose api_url has the hanging name: each poll ends at
// patroni.timeout as a timeout, so health rounds go on at their pace.
TEST_F(hanging_resolver, patroni_api_by_name_times_out_at_patroni_timeout) {
    const proxy_ports ports = proxy_ports::pick();
    const std::uint16_t admin_port = free_port();
    const std::string yaml =
        "endpoints:\n"
        "  write: {listen: \"127.0.0.1:" +
        std::to_string(ports.write) +
        "\", route: leader}\n"
        "nodes:\n"
        "  - {name: pg1, host: 127.0.0.1, port: " +
        std::to_string(env().cluster.port(pg_node::primary)) + ", api_url: \"http://" +
        std::string(hanging_api_host) +
        ":8008\"}\n"
        "patroni: {interval: 1s, timeout: 1s}\n" +
        admin_section(admin_port);
    const auto start = steady::now();
    pgroute_process pgroute(yaml, {ports.write, admin_port});
    const std::string timeouts = R"(pgroute_patroni_polls_total{node="pg1",outcome="timeout"})";
    // The series appears with the first poll of that outcome.
    const auto timed_out = [&] {
        const auto metrics = http_get_loopback(admin_port, "/metrics");
        return sample_value(metrics.body, timeouts).value_or(0);
    };
    wait_until([&] { return timed_out() >= 3; }, 10s, "three polls of pg1 have timed out");
    EXPECT_LT(seconds(steady::now() - start), 10.0);
    EXPECT_GE(scrape(admin_port, "pgroute_health_rounds_total"), 3);
    EXPECT_TRUE(env().dns.was_asked_about("api1"));

    const auto stopping = steady::now();
    EXPECT_NO_THROW(pgroute.stop());
    EXPECT_LT(seconds(steady::now() - stopping), 5.0);
}

}  // namespace
}  // namespace pgroute::test_support
