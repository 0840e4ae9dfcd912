// A binary upgrade without a refused connection (SIGUSR2): the running pgroute starts the binary
// again with its listening sockets, the new process serves new clients on them, and the old one
// stops accepting and lets its sessions finish (up to limits.drain_timeout) before it exits 0. A
// reload that only a new process can apply goes the same way.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "protocol/cancel_key.h"
#include "protocol/message_type.h"
#include "tests/integration/admin_test_client.h"
#include "tests/integration/pgbench_run.h"
#include "tests/integration/proxy_test_cluster.h"
#include "tests/integration/proxy_test_libpq.h"
#include "tests/integration/proxy_test_raw_client.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/unique_fd.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

using proxy_upgrade = shared_suite<pg_cluster>;

bool process_exists(pid_t pid) {
    return ::kill(pid, 0) == 0 || errno != ESRCH;
}

// The new process is not the test's child: it is stopped by its pid, and waited for.
struct upgraded_process {
    pid_t pid = -1;
    ~upgraded_process() {
        if (pid <= 0 || !process_exists(pid)) return;
        ::kill(pid, SIGTERM);
        try {
            wait_until([&] { return !process_exists(pid); }, 10s, "the new pgroute exits");
        } catch (const std::exception&) {
            ::kill(pid, SIGKILL);
        }
    }
};

// The pid the old process logs once the new one serves.
pid_t wait_for_new_process(const pgroute_process& pgroute) {
    const std::regex served(R"(upgrade: the new pgroute \(pid (\d+)\) serves)");
    pid_t pid = -1;
    wait_until(
        [&] {
            std::smatch found;
            const std::string log = pgroute.log_text();
            if (!std::regex_search(log, found, served)) return false;
            pid = static_cast<pid_t>(std::stol(found[1].str()));
            return true;
        },
        15s, "the old pgroute logs that the new one serves");
    return pid;
}

TEST_F(proxy_upgrade,
       ClientsConnectingThroughAnUpgradeAreNeverRefusedAndOpenSessionsFinishOnTheOldProcess) {
    const proxy_ports ports = proxy_ports::pick();
    const std::uint16_t admin_port = free_ports(1)[0];
    pgroute_process old_pgroute(cluster_config(env(), ports, admin_section(admin_port)),
                                {ports.write, ports.read, admin_port});
    libpq_conn open(loopback_conninfo(ports.write, superuser, test_database));
    open.exec("SET application_name = 'before the upgrade'");

    const temp_dir dir("pgroute-upgrade");
    auto pgbench = std::async(std::launch::async, [&] {
        return run_command(
            pgbench_new_connection_per_transaction(ports.write, dir.path() / "select.sql", 10),
            60s);
    });
    std::this_thread::sleep_for(1s);  // pgbench is connecting over and over by now
    ASSERT_EQ(::kill(old_pgroute.pid(), SIGUSR2), 0);
    upgraded_process upgraded{wait_for_new_process(old_pgroute)};
    EXPECT_NE(upgraded.pid, old_pgroute.pid());
    // The handover happened while pgbench was connecting, which is what the run below proves.
    EXPECT_EQ(pgbench.wait_for(0s), std::future_status::timeout);
    // Both processes write to the same log (the new one inherited its stderr).
    EXPECT_NE(old_pgroute.log_text().find("listening socket(s) and the admin listener from pid " +
                                          std::to_string(old_pgroute.pid())),
              std::string::npos)
        << old_pgroute.log_text();

    expect_clean_pgbench_run(pgbench.get());
    // The admin listener moved too: it answers, from the new process.
    EXPECT_EQ(http_get_loopback(admin_port, "/health").status, 200);

    // The session opened before the upgrade is still served by the old process, and the old
    // process exits 0 once it ends.
    EXPECT_EQ(open.exec_scalar("SHOW application_name"), "before the upgrade");
    EXPECT_TRUE(old_pgroute.running());
    open = libpq_conn(loopback_conninfo(ports.write, superuser, test_database));
    EXPECT_NO_THROW(old_pgroute.wait_exit(10s));
    EXPECT_EQ(open.exec_scalar("SELECT 6 * 7"), "42");  // a new session, on the new process
    EXPECT_TRUE(process_exists(upgraded.pid));
}

// Whether a TCP connection to 127.0.0.1:port is refused (nothing listens there).
bool connection_refused(std::uint16_t port) {
    const unique_fd socket(::socket(AF_INET, SOCK_STREAM, 0), "socket");
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return ::connect(socket.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) != 0 &&
           errno == ECONNREFUSED;
}

// A reload that moves an endpoint (an address removed, another added) is one the running process
// cannot apply, its workers owning the listening sockets: a new process applies it, as an
// upgrade does. The kept endpoint never refuses a client meanwhile, the new address serves, the
// removed one refuses, and the session open on it finishes on the old process.
TEST_F(proxy_upgrade, AReloadThatMovesAnEndpointIsAppliedByANewProcess) {
    const proxy_ports ports = proxy_ports::pick();
    const std::uint16_t admin_port = free_ports(1)[0];
    const std::string yaml = cluster_config(env(), ports, admin_section(admin_port));
    pgroute_process old_pgroute(yaml, {ports.write, ports.read, admin_port});
    libpq_conn on_removed(loopback_conninfo(ports.read, superuser, test_database));
    on_removed.exec("SET application_name = 'on the removed address'");
    const std::uint16_t moved_to = free_ports(1)[0];
    const std::string old_read = "127.0.0.1:" + std::to_string(ports.read);
    std::string moved = yaml;
    moved.replace(moved.find(old_read), old_read.size(), "127.0.0.1:" + std::to_string(moved_to));
    write_text(old_pgroute.config_path(), moved);

    const temp_dir dir("pgroute-reload-upgrade");
    auto pgbench = std::async(std::launch::async, [&] {
        return run_command(
            pgbench_new_connection_per_transaction(ports.write, dir.path() / "select.sql", 8), 60s);
    });
    std::this_thread::sleep_for(1s);  // pgbench is connecting over and over by now
    const auto answer = http_post_loopback(admin_port, "/reload");
    EXPECT_EQ(answer.status, 202) << answer.body;
    EXPECT_NE(answer.body.find("endpoints.read.listen: endpoint \"read\" moved from " + old_read),
              std::string::npos)
        << answer.body;
    upgraded_process upgraded{wait_for_new_process(old_pgroute)};
    EXPECT_NE(answer.body.find("a new pgroute (pid " + std::to_string(upgraded.pid) + ")"),
              std::string::npos)
        << answer.body;

    libpq_conn on_added(loopback_conninfo(moved_to, superuser, test_database));
    EXPECT_EQ(on_added.exec_scalar("SELECT pg_is_in_recovery()"), "t");
    // The new process closed the socket it was handed for the removed address, and the old one
    // stopped accepting on it.
    wait_until([&] { return connection_refused(ports.read); }, 10s,
               "the removed address refuses connections");
    EXPECT_EQ(on_removed.exec_scalar("SHOW application_name"), "on the removed address");
    EXPECT_TRUE(old_pgroute.running());
    expect_clean_pgbench_run(pgbench.get());
    on_removed = libpq_conn(loopback_conninfo(moved_to, superuser, test_database));
    EXPECT_NO_THROW(old_pgroute.wait_exit(10s));
    EXPECT_EQ(on_removed.exec_scalar("SELECT 6 * 7"), "42");
}

// Whether `pid` still holds a socket listening on 127.0.0.1:port (by its inode in
// /proc/net/tcp): an upgrade's old process closes its own once the new one serves.
bool holds_listener(pid_t pid, std::uint16_t port) {
    char local[32];
    std::snprintf(local, sizeof local, "0100007F:%04X", port);
    std::set<std::string> inodes;
    std::ifstream table("/proc/net/tcp");
    std::string line;
    while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string slot, address, remote, state, queues, timer, retransmits, uid, timeout, inode;
        fields >> slot >> address >> remote >> state >> queues >> timer >> retransmits >> uid >>
            timeout >> inode;
        if (address == local && state == "0A") inodes.insert("socket:[" + inode + "]");
    }
    std::error_code ec;
    for (const auto& fd :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
        if (inodes.contains(std::filesystem::read_symlink(fd.path(), ec).string())) return true;
    }
    return false;
}

// The sessions opened before an upgrade finish on the old process, but their clients'
// CancelRequests reach the new one, which never issued their keys: it passes each to the old
// process, which cancels where the session runs. Here the new process comes from a reload that
// changed peering.id, the hardest case: the key names an instance the new process is not, and
// among no peers of its.
TEST_F(proxy_upgrade, ACancelForASessionLeftOnTheOldProcessCancelsThroughTheNewOne) {
    const proxy_ports ports = proxy_ports::pick();
    const std::string yaml = cluster_config(env(), ports, "peering:\n  id: 1\n");
    pgroute_process old_pgroute(yaml, {ports.write, ports.read});
    raw_client session(ports.write);
    session.send(startup_packet(
        {{"user", std::string(superuser)}, {"database", std::string(test_database)}}));
    std::optional<protocol::cancel_key> key;
    for (const auto& message : session.read_until_ready()) {
        if (message.type == protocol::PqMsg_BackendKeyData)
            key = protocol::read_backend_key_data(message.body);
    }
    ASSERT_TRUE(key);
    EXPECT_EQ(key->process_id >> 24, 1u) << "the old process's key names instance 1";
    ASSERT_TRUE(holds_listener(old_pgroute.pid(), ports.write));

    std::string renumbered = yaml;
    renumbered.replace(renumbered.find("id: 1"), 5, "id: 2");
    write_text(old_pgroute.config_path(), renumbered);
    ASSERT_EQ(::kill(old_pgroute.pid(), SIGHUP), 0);
    upgraded_process upgraded{wait_for_new_process(old_pgroute)};
    // From then on a connection can only reach the new process.
    wait_until([&] { return !holds_listener(old_pgroute.pid(), ports.write); }, 10s,
               "the old pgroute closes its listening socket");
    const std::string sleep = "SELECT pg_sleep(60)";
    session.send(query_message(sleep));
    libpq_conn inspector(env().conninfo(pg_node::primary));
    wait_until_running(inspector, sleep, "node");
    raw_client(ports.write).send(protocol::build_cancel_request(*key));
    const auto columns = session.read_message(20s);
    ASSERT_TRUE(columns);
    EXPECT_EQ(columns->type, 'T');
    const auto error = session.read_error(20s);
    EXPECT_EQ(error.sqlstate, "57014") << error.message;  // query_canceled
    // Both processes write to this log, each once its own send is done, which may be after the
    // query's error reached the client.
    for (const std::string& line :
         {"cancel request forwarded to the pgroute this one upgraded from (pid " +
              std::to_string(old_pgroute.pid()) + ")",
          std::string("the new pgroute's cancel request forwarded to node \"primary\"")}) {
        wait_until([&] { return old_pgroute.log_text().find(line) != std::string::npos; }, 10s,
                   "pgroute logs \"" + line + "\"");
    }
}

// The new process cannot start (its config is broken by now): the old one notices, says so, and
// goes on serving on every port it had.
TEST_F(proxy_upgrade, AnUpgradeWhoseNewProcessFailsLeavesTheOldOneServing) {
    const proxy_ports ports = proxy_ports::pick();
    pgroute_process old_pgroute(cluster_config(env(), ports), {ports.write, ports.read});
    write_text(old_pgroute.config_path(), "endpoints: {}\n");
    ASSERT_EQ(::kill(old_pgroute.pid(), SIGUSR2), 0);
    wait_until(
        [&] {
            return old_pgroute.log_text().find("upgrade failed: the new pgroute (pid ") !=
                   std::string::npos;
        },
        15s, "the old pgroute logs that the upgrade failed");
    libpq_conn write(loopback_conninfo(ports.write, superuser, test_database));
    EXPECT_EQ(write.exec_scalar("SELECT pg_is_in_recovery()"), "f");
    libpq_conn read(loopback_conninfo(ports.read, superuser, test_database));
    EXPECT_EQ(read.exec_scalar("SELECT pg_is_in_recovery()"), "t");
}

// What systemd's notify socket receives (Type=notify): a datagram socket of the test's own.
class notify_socket {
  public:
    explicit notify_socket(const std::filesystem::path& path)
        : path_(path), fd_(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket") {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
        if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
            throw std::runtime_error("cannot bind " + path.string());
        }
    }
    [[nodiscard]] std::string env() const { return "NOTIFY_SOCKET=" + path_.string(); }
    // The next datagram, or "" after 10 s without one.
    [[nodiscard]] std::string next() const {
        pollfd waiting{fd_.get(), POLLIN, 0};
        if (::poll(&waiting, 1, 10'000) != 1) return "";
        char message[512];
        const ssize_t got = ::recv(fd_.get(), message, sizeof message, 0);
        return got > 0 ? std::string(message, static_cast<std::size_t>(got)) : "";
    }

  private:
    std::filesystem::path path_;
    unique_fd fd_;
};

// systemd (Type=notify, NotifyAccess=main) hears when pgroute serves, reloads and stops, and,
// at an upgrade, which process is its main one now; the new process does not claim READY=1 of
// its own, which systemd would refuse from a process that is not yet the main one.
TEST_F(proxy_upgrade, SystemdIsToldOfStartReloadUpgradeAndStop) {
    const temp_dir dir("pgroute-notify");
    const notify_socket systemd(dir.path() / "notify");
    const proxy_ports ports = proxy_ports::pick();
    pgroute_process old_pgroute(cluster_config(env(), ports), {ports.write, ports.read}, 10s,
                                {systemd.env()});
    EXPECT_EQ(systemd.next(), "READY=1");
    ASSERT_EQ(::kill(old_pgroute.pid(), SIGHUP), 0);
    EXPECT_TRUE(systemd.next().starts_with("RELOADING=1\nMONOTONIC_USEC="));
    EXPECT_EQ(systemd.next(), "READY=1");

    ASSERT_EQ(::kill(old_pgroute.pid(), SIGUSR2), 0);
    upgraded_process upgraded{wait_for_new_process(old_pgroute)};
    EXPECT_EQ(systemd.next(), "MAINPID=" + std::to_string(upgraded.pid));
    EXPECT_NO_THROW(old_pgroute.wait_exit(10s));  // it had no session to wait for
    ASSERT_EQ(::kill(upgraded.pid, SIGTERM), 0);
    EXPECT_EQ(systemd.next(), "STOPPING=1");
}

}  // namespace
}  // namespace pgroute::test_support
