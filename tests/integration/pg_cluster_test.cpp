// The test harness itself: child processes die with the test, and pg_cluster is a real primary
// with a streaming replica whose roles authenticate by the methods their names promise.
#include "tests/support/pg_cluster.h"

#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "tests/support/libpq_conn.h"
#include "tests/support/ports.h"
#include "tests/support/proc_scan.h"
#include "tests/support/process.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

// Alive and not a zombie: a killed orphan may linger as a zombie when PID 1 does not reap.
bool alive(pid_t pid) {
    std::ifstream stat_file("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    std::getline(stat_file, stat);
    // "pid (name) state ...", where the name may hold spaces and parentheses.
    const std::size_t name_end = stat.rfind(')');
    return name_end != std::string::npos && name_end + 2 < stat.size() && stat[name_end + 2] != 'Z';
}

// Runs in a forked copy of the test: starts a child, reports its pid, waits for the go, and
// exits without running any destructor, as a crashing test would.
[[noreturn]] void start_sleeper_then_vanish(int pid_fd, int go_fd) {
    try {
        const child_process sleeper({.argv = {"sleep", "60"}}, "/dev/null");
        const pid_t pid = sleeper.pid();
        char go;
        const bool released =
            write(pid_fd, &pid, sizeof pid) == sizeof pid && read(go_fd, &go, 1) >= 0;
        _exit(released ? 0 : 1);
    } catch (...) {
        _exit(2);
    }
}

TEST(child_process, ChildIsKilledWhenTheProcessThatStartedItDies) {
    int pid_pipe[2];
    int go_pipe[2];
    ASSERT_EQ(pipe(pid_pipe), 0);
    ASSERT_EQ(pipe(go_pipe), 0);
    const pid_t starter = fork();
    ASSERT_GE(starter, 0);
    if (starter == 0) {
        close(go_pipe[1]);
        start_sleeper_then_vanish(pid_pipe[1], go_pipe[0]);
    }
    close(pid_pipe[1]);
    close(go_pipe[0]);
    pid_t sleeper = 0;
    ASSERT_EQ(read(pid_pipe[0], &sleeper, sizeof sleeper), static_cast<ssize_t>(sizeof sleeper));
    ASSERT_TRUE(alive(sleeper));

    close(go_pipe[1]);
    waitpid(starter, nullptr, 0);
    const auto orphan_gone = [&] { return !alive(sleeper); };
    EXPECT_NO_THROW(wait_until(orphan_gone, 5s, "the orphaned child is gone"));
    if (alive(sleeper)) kill(sleeper, SIGKILL);
    close(pid_pipe[0]);
}

TEST(child_process, RunCommandReturnsExitCodeAndBothOutputStreams) {
    const command_result result =
        run_command({.argv = {"sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3"}});
    EXPECT_EQ(result.exit_code, 3);
    EXPECT_NE(result.output.find("to-stdout"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("to-stderr"), std::string::npos) << result.output;
}

TEST(child_process, RunCommandAsPostgresDropsRoot) {
    const passwd* postgres = getpwnam("postgres");
    ASSERT_NE(postgres, nullptr);
    const uid_t expected = geteuid() == 0 ? postgres->pw_uid : geteuid();
    const command_result result = run_command({.argv = {"id", "-u"}, .as_postgres = true});
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.output, std::to_string(expected) + "\n");
}

TEST(child_process, RunCommandGivesUpOnAToolThatOutlivesItsTimeout) {
    EXPECT_THROW((void)run_command({.argv = {"sleep", "10"}}, 200ms), std::runtime_error);
}

// One cluster for the tests that only read, or write rows of their own: a start costs seconds.
class shared_cluster : public testing::Test {
  protected:
    static void SetUpTestSuite() { cluster_ = std::make_unique<pg_cluster>(); }
    static void TearDownTestSuite() { cluster_.reset(); }

    static pg_cluster& cluster() { return *cluster_; }
    static std::string conninfo(pg_node node, const pg_role& role, std::string_view password) {
        return cluster().conninfo(node, role.name, test_database, password);
    }
    static std::string hba_method(const pg_role& role) {
        libpq_conn admin(cluster().conninfo(pg_node::primary));
        return admin
            .exec_scalar("SELECT auth_method FROM pg_hba_file_rules WHERE $1 = ANY(user_name)",
                         {std::string(role.name)})
            .value_or("NULL");
    }
    static std::string stored_password(const pg_role& role) {
        libpq_conn admin(cluster().conninfo(pg_node::primary));
        return admin
            .exec_scalar("SELECT rolpassword FROM pg_authid WHERE rolname = $1",
                         {std::string(role.name)})
            .value_or("NULL");
    }
    static void expect_logs_in_with_password(const pg_role& role) {
        for (const pg_node node : {pg_node::primary, pg_node::replica}) {
            libpq_conn conn(conninfo(node, role, role.password));
            EXPECT_EQ(conn.exec_scalar("SELECT current_user"), std::string(role.name));
            EXPECT_EQ(PQconnectionUsedPassword(conn.raw()), 1);
        }
    }
    static std::string sqlstate_with_wrong_password(const pg_role& role) {
        return sqlstate_thrown_by(
            [&] { const libpq_conn rejected(conninfo(pg_node::primary, role, "wrong")); });
    }

  private:
    static inline std::unique_ptr<pg_cluster> cluster_;
};

TEST_F(shared_cluster, PrimaryIsNotInRecovery) {
    libpq_conn primary(cluster().conninfo(pg_node::primary));
    EXPECT_EQ(primary.exec_scalar("SELECT pg_is_in_recovery()"), "f");
}

TEST_F(shared_cluster, ReplicaIsInRecovery) {
    libpq_conn replica(cluster().conninfo(pg_node::replica));
    EXPECT_EQ(replica.exec_scalar("SELECT pg_is_in_recovery()"), "t");
}

TEST_F(shared_cluster, RowWrittenOnPrimaryAppearsOnReplica) {
    libpq_conn primary(cluster().conninfo(pg_node::primary));
    libpq_conn replica(cluster().conninfo(pg_node::replica));
    primary.exec("CREATE TABLE replication_probe (value text)");
    primary.exec_params("INSERT INTO replication_probe VALUES ($1)", {"written on the primary"});
    // The insert position, not pg_current_wal_lsn(): with synchronous_commit off, the commit
    // record may not be written yet when the INSERT returns.
    const std::string written = primary.exec_scalar("SELECT pg_current_wal_insert_lsn()").value();

    wait_until(
        [&] {
            return replica.exec_scalar("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn",
                                       {written}) == "t";
        },
        10s, "the replica replays up to " + written);
    EXPECT_EQ(replica.exec_scalar("SELECT value FROM replication_probe"), "written on the primary");
}

TEST_F(shared_cluster, TrustUserLogsInWithoutPassword) {
    libpq_conn conn(conninfo(pg_node::primary, trust_role, {}));
    EXPECT_EQ(conn.exec_scalar("SELECT current_user"), std::string(trust_role.name));
    EXPECT_EQ(PQconnectionUsedPassword(conn.raw()), 0);
    EXPECT_EQ(hba_method(trust_role), "trust");
}

TEST_F(shared_cluster, Md5UserLogsInWithItsPassword) {
    expect_logs_in_with_password(md5_role);
}

TEST_F(shared_cluster, ScramUserLogsInWithItsPassword) {
    expect_logs_in_with_password(scram_role);
}

TEST_F(shared_cluster, Md5UserIsCheckedByMd5) {
    EXPECT_EQ(hba_method(md5_role), "md5");
    // An md5 line would silently run SCRAM for a SCRAM-stored password.
    EXPECT_EQ(stored_password(md5_role).substr(0, 3), "md5");
}

TEST_F(shared_cluster, ScramUserIsCheckedByScram) {
    EXPECT_EQ(hba_method(scram_role), "scram-sha-256");
    EXPECT_EQ(stored_password(scram_role).substr(0, 14), "SCRAM-SHA-256$");
}

TEST_F(shared_cluster, Md5UserWithWrongPasswordIsRejectedWith28P01) {
    EXPECT_EQ(sqlstate_with_wrong_password(md5_role), "28P01");
}

TEST_F(shared_cluster, ScramUserWithWrongPasswordIsRejectedWith28P01) {
    EXPECT_EQ(sqlstate_with_wrong_password(scram_role), "28P01");
}

TEST(pg_cluster, LeavesNoProcessBehindWhenDestroyed) {
    std::filesystem::path dir;
    {
        const pg_cluster cluster;
        dir = cluster.dir();
        // Both postmasters and their background processes: proof that the scan sees them.
        ASSERT_GE(processes_using(dir).size(), 4u);
    }
    EXPECT_EQ(processes_using(dir), std::vector<pid_t>{}) << "pids still using " << dir;
}

TEST(pg_cluster, KilledReplicaCatchesUpAfterStart) {
    pg_cluster cluster;
    cluster.kill_replica();
    EXPECT_FALSE(accepts_tcp(cluster.port(pg_node::replica)));

    libpq_conn primary(cluster.conninfo(pg_node::primary));
    primary.exec("CREATE TABLE written_while_down AS SELECT 'missed' AS value");
    cluster.start_replica();

    libpq_conn replica(cluster.conninfo(pg_node::replica));
    wait_until(
        [&] {
            return replica.exec_scalar("SELECT to_regclass('written_while_down') IS NOT NULL") ==
                   "t";
        },
        10s, "the table written while the replica was down reaches it");
    EXPECT_EQ(replica.exec_scalar("SELECT value FROM written_while_down"), "missed");
}

}  // namespace
}  // namespace pgroute::test_support
