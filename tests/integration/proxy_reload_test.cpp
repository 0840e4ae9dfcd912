// Reloading pgroute.yaml in a running pgroute, as `systemctl reload` (SIGHUP) and an operator on
// the admin listener (POST /reload) ask for it: new sessions get the new config, open sessions
// keep theirs, an invalid config is refused while the running one serves, and clients that
// connect through a stream of reloads are never refused. A reload that only a new process can
// apply is proxy_upgrade_test's.
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <future>
#include <string>
#include <thread>

#include "tests/integration/admin_test_client.h"
#include "tests/integration/pgbench_run.h"
#include "tests/integration/proxy_test_cluster.h"
#include "tests/integration/proxy_test_libpq.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

using proxy_reload = shared_suite<pg_cluster>;

constexpr std::string_view reloaded_line = "configuration reloaded from ";
constexpr std::string_view refused_line =
    "reload refused: the running configuration goes on serving";

std::size_t occurrences(const std::string& text, std::string_view needle) {
    std::size_t count = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
        ++count;
    return count;
}

// A pgroute in static mode in front of the suite's cluster, with an admin listener, whose
// config the test rewrites.
struct reloadable_pgroute {
    reloadable_pgroute(const pg_cluster& servers, const std::string& extra_yaml)
        : cluster(servers),
          pgroute(config_text(extra_yaml), {ports.write, ports.read, admin_port}) {}

    [[nodiscard]] std::string config_text(const std::string& extra_yaml) const {
        return cluster_config(cluster, ports, extra_yaml + admin_section(admin_port));
    }
    void rewrite(const std::string& extra_yaml) const {
        write_text(pgroute.config_path(), config_text(extra_yaml));
    }
    // Sends SIGHUP and returns once pgroute logged the reload's outcome (`line`).
    void sighup(std::string_view line) const {
        const auto before = occurrences(pgroute.log_text(), line);
        ASSERT_EQ(::kill(pgroute.pid(), SIGHUP), 0);
        wait_until([&] { return occurrences(pgroute.log_text(), line) > before; }, 10s,
                   "pgroute logs \"" + std::string(line) + "\"");
    }
    [[nodiscard]] std::string write_conninfo(std::string_view user = superuser,
                                             std::string_view password = {}) const {
        return loopback_conninfo(ports.write, user, test_database, password);
    }

    const pg_cluster& cluster;
    proxy_ports ports = proxy_ports::pick();
    std::uint16_t admin_port = free_ports(1)[0];
    pgroute_process pgroute;
};

TEST_F(proxy_reload, SighupAppliesANewConnectionLimitToNewClientsAndOpenSessionsGoOn) {
    const reloadable_pgroute proxy(env(), "limits:\n  max_client_connections: 50\n");
    libpq_conn open(proxy.write_conninfo());

    proxy.rewrite("limits:\n  max_client_connections: 1\n");
    proxy.sighup(reloaded_line);
    EXPECT_EQ(open.exec_scalar("SELECT 6 * 7"), "42");
    const auto refused = login_failure(proxy.write_conninfo());
    EXPECT_EQ(refused.sqlstate, "53300") << refused.message;
    EXPECT_NE(refused.message.find("max_client_connections is 1"), std::string::npos)
        << refused.message;

    proxy.rewrite("limits:\n  max_client_connections: 50\n");
    proxy.sighup(reloaded_line);
    libpq_conn second(proxy.write_conninfo());
    EXPECT_EQ(second.exec_scalar("SELECT 1"), "1");
    EXPECT_EQ(open.exec_scalar("SELECT 2"), "2");
}

TEST_F(proxy_reload, AnInvalidConfigIsRefusedLineByLineAndTheRunningOneServes) {
    const reloadable_pgroute proxy(env(), "");
    libpq_conn open(proxy.write_conninfo());

    proxy.rewrite("limits:\n  max_clients: 5\n  connect_timeout: soon\n");
    proxy.sighup(refused_line);
    std::string log = proxy.pgroute.log_text();
    EXPECT_NE(log.find("reload refused: " + proxy.pgroute.config_path().string() +
                       ": limits.max_clients: unknown key"),
              std::string::npos)
        << log;
    EXPECT_NE(log.find(": limits.connect_timeout: "), std::string::npos) << log;

    EXPECT_EQ(open.exec_scalar("SELECT 1"), "1");
    libpq_conn after(proxy.write_conninfo());
    EXPECT_EQ(after.exec_scalar("SELECT 1"), "1");
    libpq_conn read(loopback_conninfo(proxy.ports.read, superuser, test_database));
    EXPECT_EQ(read.exec_scalar("SELECT pg_is_in_recovery()"), "t");
}

TEST_F(proxy_reload, PostReloadOnTheAdminListenerAnswersWhatTheReloadDid) {
    const reloadable_pgroute proxy(env(), "");
    proxy.rewrite("limits:\n  max_client_connections: 1\n");
    const auto applied = http_post_loopback(proxy.admin_port, "/reload");
    EXPECT_EQ(applied.status, 200) << applied.body;
    EXPECT_TRUE(applied.body.starts_with(reloaded_line)) << applied.body;
    // Applied once answered: a client that connects now meets the new limit.
    libpq_conn first(proxy.write_conninfo());
    EXPECT_EQ(login_failure(proxy.write_conninfo()).sqlstate, "53300");

    proxy.rewrite("limits:\n  max_client_connections: none\n");
    const auto refused = http_post_loopback(proxy.admin_port, "/reload");
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_NE(refused.body.find("limits.max_client_connections: "), std::string::npos)
        << refused.body;
    EXPECT_NE(refused.body.find(refused_line), std::string::npos) << refused.body;
}

// Each pgbench transaction is a new connection (-C); a reload every 100 ms meanwhile. A reload
// that closed or re-opened a listener would refuse some of them, and pgbench would abort.
TEST_F(proxy_reload, NewConnectionsThroughAStreamOfReloadsAreNeverRefused) {
    reloadable_pgroute proxy(env(), "");
    const temp_dir dir("pgroute-reload");
    auto pgbench = std::async(std::launch::async, [&] {
        return run_command(
            pgbench_new_connection_per_transaction(proxy.ports.write, dir.path() / "select.sql", 6),
            60s);
    });
    // Reloads while pgbench connects: 20, or as many as fit in its 6 s on a slow machine.
    std::size_t reloads = 0;
    while (reloads < 20 && pgbench.wait_for(0s) == std::future_status::timeout) {
        // Alternating limits, so that every reload makes a generation unlike the last.
        proxy.rewrite("limits:\n  max_client_connections: " + std::to_string(100 + reloads % 2) +
                      "\n");
        proxy.sighup(reloaded_line);
        ++reloads;
        std::this_thread::sleep_for(100ms);
    }
    const auto result = pgbench.get();
    EXPECT_GE(reloads, 10u);
    expect_clean_pgbench_run(result);
    EXPECT_NO_THROW(proxy.pgroute.stop());  // and a clean exit after all those generations
}

// Proxy mode: auth_file is read again, so a user added to it logs in without a restart, and a
// session of a user it no longer lists goes on until it ends.
TEST_F(proxy_reload, ProxyModeReadsTheAuthFileAgain) {
    const temp_dir dir("pgroute-reload-auth");
    const auto userlist = dir.path() / "userlist.txt";
    write_text(userlist, "\"" + std::string(trust_role.name) + "\" \"\"\n");
    const std::string auth = "auth:\n  mode: proxy\n  auth_file: " + userlist.string() + "\n";
    const reloadable_pgroute proxy(env(), auth);
    libpq_conn trusted(proxy.write_conninfo(trust_role.name));
    const auto unknown = login_failure(proxy.write_conninfo(scram_role.name, scram_role.password));
    EXPECT_EQ(unknown.sqlstate, "28P01") << unknown.message;

    libpq_conn primary(env().conninfo(pg_node::primary));
    const auto secret = primary.exec_scalar("SELECT rolpassword FROM pg_authid WHERE rolname = '" +
                                            std::string(scram_role.name) + "'");
    write_text(userlist,
               "\"" + std::string(scram_role.name) + "\" \"" + secret.value_or("") + "\"\n");
    proxy.sighup(reloaded_line);
    libpq_conn scram(proxy.write_conninfo(scram_role.name, scram_role.password));
    EXPECT_EQ(scram.exec_scalar("SELECT current_user"), std::string(scram_role.name));
    EXPECT_EQ(trusted.exec_scalar("SELECT current_user"), std::string(trust_role.name));
    // No longer listed: an unknown user now, refused as a wrong password is.
    const auto dropped = login_failure(proxy.write_conninfo(trust_role.name, trust_role.password));
    EXPECT_EQ(dropped.sqlstate, "28P01") << dropped.message;
}

}  // namespace
}  // namespace pgroute::test_support
