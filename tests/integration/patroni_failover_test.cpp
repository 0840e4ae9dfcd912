// pgroute in front of a real Patroni cluster while the leader changes under write load: a planned
// switchover, then a crash (kill -9) of the leader. Each prints the timings it measured. The load
// is failover_load.h, its verdicts failover_report.h.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/admin_test_client.h"
#include "tests/integration/failover_load.h"
#include "tests/integration/failover_report.h"
#include "tests/integration/patroni_pgroute_suite.h"
#include "tests/support/libpq_conn.h"
#include "tests/support/patroni_cluster.h"
#include "tests/support/pgroute_process.h"
#include "tests/support/ports.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text_file.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

// Patroni's ttl is 10 s; electing a new leader after a crash takes about that long.
constexpr auto new_leader_write_timeout = 90s;
// The old leader rejoins as a replica of the new one.
constexpr auto cluster_settle_timeout = 90s;

bool says_primary(const std::string& patroni_role) {
    return patroni_role == "master" || patroni_role == "primary";
}

class patroni_failover : public patroni_pgroute_suite {
  protected:
    void SetUp() override {
        patroni_suite::SetUp();
        if (HasFatalFailure()) return;

        start_routing_pgroute();

        libpq_conn setup(cluster().conninfo(leader_, patroni_trust_user));
        setup.exec(
            "SET client_min_messages = warning;"
            "CREATE TABLE IF NOT EXISTS failover_probe (client int, port int)");
    }

    // Starts the load and returns once rows commit on the leader through pgroute.
    [[nodiscard]] std::unique_ptr<write_load> start_write_load() const {
        auto load = std::make_unique<write_load>(cluster(), write_port());
        wait_until([&] { return load->first_success_on(leader_).has_value(); }, 20s,
                   "the write load commits on " + leader_);
        return load;
    }

    // The new leader took a write, and the old one none after that: never two write targets.
    static void expect_writes_moved(const write_load& load, const std::string& old_leader,
                                    const std::string& new_leader) {
        const std::optional<double> first_new = load.first_success_on(new_leader);
        ASSERT_TRUE(first_new.has_value()) << "no write reached " << new_leader;
        EXPECT_FALSE(load.first_success_on(old_leader, *first_new).has_value())
            << old_leader << " took a write after " << new_leader << " did";
    }

    static void expect_no_write_reached_a_standby(const std::vector<write_error>& errors) {
        for (const write_error& error : errors) {
            EXPECT_NE(error.sqlstate, "25006") << "at " << error.at << " s: " << error.message;
        }
    }

    // auth.mode: proxy, its auth_file made of scram_user's secret and trust_user (no password:
    // the nodes trust it, and the routing checks log in as it); ports: write, read, admin.
    void start_proxy_mode_pgroute(const temp_dir& dir, const std::vector<std::uint16_t>& ports) {
        {
            libpq_conn superuser(cluster().conninfo(leader_));
            const auto secret = superuser.exec_scalar(
                "SELECT rolpassword FROM pg_authid WHERE rolname = 'scram_user'");
            ASSERT_TRUE(secret.has_value());
            write_text(dir.path() / "userlist.txt",
                       "\"scram_user\" \"" + *secret + "\"\n\"trust_user\" \"\"\n");
        }
        start_pgroute_with(
            patroni_config(cluster(), {.write_port = ports[0], .read_port = ports[1]}) +
                "auth:\n  mode: proxy\n  auth_file: " + (dir.path() / "userlist.txt").string() +
                "\n" + admin_section(ports[2]),
            ports[0], ports[1]);
        ASSERT_NO_THROW(
            cluster().wait_until_proxy_routes(write_port(), read_port(), routing_timeout));
    }

    static std::string scram_user_conninfo(std::uint16_t port) {
        return "host=127.0.0.1 port=" + std::to_string(port) +
               " user=scram_user password=scram_pass dbname=pgroute_test connect_timeout=10";
    }

    void expect_new_sessions_reach(const std::string& node) const {
        libpq_conn session(proxied_conninfo(write_port()));
        EXPECT_EQ(session.exec_scalar("SELECT pg_is_in_recovery()"), "f");
        EXPECT_EQ(cluster().node_serving(session), node);
    }
};

// The tests run in this order: the crash leaves the cluster with two nodes.

TEST_F(patroni_failover, SwitchoverUnderWriteLoadEndsSessionsCleanlyAndNeverWritesToAStandby) {
    const std::string old_leader = leader_;
    const std::string candidate = replicas_.front();
    libpq_conn idle(proxied_conninfo(write_port()));
    EXPECT_EQ(idle.exec_scalar("SELECT 1"), "1");
    const auto load = start_write_load();

    const change_watch demoted([&] { return !says_primary(cluster().patroni_role(old_leader)); },
                               load->began());
    const change_watch promoted([&] { return says_primary(cluster().patroni_role(candidate)); },
                                load->began());
    const double switchover_at = load->now();
    cluster().switchover(candidate);
    const double patronictl_returned_at = load->now();
    wait_until([&] { return load->first_success_on(candidate).has_value(); },
               new_leader_write_timeout, "a write through pgroute commits on " + candidate);
    std::this_thread::sleep_for(3s);  // the steady state after the switchover, under load
    load->stop();

    const std::vector<write_error> errors = load->errors();
    std::optional<double> first_cut;
    for (const write_error& error : errors) {
        if (is_pgroute_cut(error) && error.at >= switchover_at) {
            first_cut = error.at;
            break;
        }
    }
    const std::optional<double> last_old = load->last_success_on(old_leader);
    const std::optional<double> first_new = load->first_success_on(candidate);
    std::cout << "switchover " << old_leader << " -> " << candidate << " under " << writer_threads
              << " writers, " << load->success_count()
              << " rows committed; seconds since patronictl started:\n";
    print_timing("last write committed on " + old_leader, last_old, switchover_at);
    print_timing(old_leader + "'s /patroni stops saying primary", demoted.at(), switchover_at);
    print_timing("first cut by pgroute (08006)", first_cut, switchover_at);
    print_timing(candidate + "'s /patroni says primary", promoted.at(), switchover_at);
    print_timing("first write committed on " + candidate, first_new, switchover_at);
    print_timing("patronictl returned", patronictl_returned_at, switchover_at);
    print_timing("write outage (last old write to first new)", first_new,
                 last_old.value_or(switchover_at));
    print_errors(errors);

    expect_no_write_reached_a_standby(errors);
    for (const write_error& error : errors) {
        EXPECT_TRUE(ends_cleanly(error) ||
                    lost_fatal_to_server_shutdown(error, switchover_at, first_new.value_or(0)))
            << "at " << error.at << " s, SQLSTATE '" << error.sqlstate << "': " << error.message;
        // A new session waits for the new leader (limits.hold_timeout, 30 s by default) rather
        // than being refused, or failing on the old leader that already stopped listening.
        EXPECT_EQ(error.message.find("no leader is available"), std::string::npos)
            << "at " << error.at << " s: " << error.message;
        EXPECT_EQ(error.message.find("pgroute could not connect"), std::string::npos)
            << "at " << error.at << " s: " << error.message;
    }
    expect_writes_moved(*load, old_leader, candidate);
    expect_new_sessions_reach(candidate);

    // A session idle across the switchover, even one that watched its socket meanwhile, hears
    // at its next statement why it ended, with a SQLSTATE: the old leader's 57P01 or pgroute's
    // cut (08006), never a bare "server closed the connection unexpectedly".
    read_while_idle(idle.raw(), 100ms);
    const std::string idle_end =
        sqlstate_thrown_by([&] { (void)exec_keeping_first_error(idle.raw(), "SELECT 1", 5s); });
    EXPECT_TRUE(idle_end == "57P01" || idle_end == "08006") << idle_end;
}

// auth.mode: proxy: pgroute logged the sessions in itself, so an idle one moves to the new leader
// across a switchover and its next statements run there, on the same client connection, with
// its cancel key pointing at the new backend. A session that used SET is pinned: its next
// statement fails with a SQLSTATE and a message that says why it could not move.
// What each moving session set, and reads back on the new leader through its prepared statement.
constexpr std::size_t moving_sessions = 100;
const std::string settings_read_back =
    "SELECT $1::int + 1, current_setting('application_name'), current_setting('search_path'), "
    "current_setting('statement_timeout')";

void change_settings_and_prepare(libpq_conn& session, std::size_t i) {
    session.exec("SET application_name = 'mover " + std::to_string(i) + "'");
    session.exec("SET search_path = moved_schema, public");
    session.exec("SET statement_timeout = '" + std::to_string(90'001 + i) + "ms'");
    session.exec("SET work_mem = '2MB'");
    session.exec("RESET work_mem");
    session.prepare("read_back", settings_read_back);
}

// Statements in flight as the old leader shuts down: a lone INSERT that its FATAL 57P01 ended
// before it could commit runs again on the new leader; a CALL that committed inside and then
// waited is not run again (its client gets the FATAL). Each sleeps only on the old leader.
struct statement_at_shutdown {
    std::thread client;
    std::string answer;
    std::string sqlstate;
};

void run_at_shutdown(statement_at_shutdown& at_shutdown, libpq_conn& session, std::string sql) {
    at_shutdown.client = std::thread([&at_shutdown, &session, sql = std::move(sql)] {
        try {
            at_shutdown.answer = exec_keeping_first_error(session.raw(), sql, 60s);
        } catch (const pg_error& error) {
            at_shutdown.sqlstate = error.sqlstate().empty() ? error.what() : error.sqlstate();
        }
    });
}

TEST_F(patroni_failover, InProxyModeSessionsMoveToTheNewLeaderAndPinnedOnesAreToldWhy) {
    const std::string old_leader = leader_;
    const std::string candidate = replicas_.front();
    const temp_dir dir("pgroute-moves");
    const std::vector<std::uint16_t> ports = free_ports(3);
    ASSERT_NO_FATAL_FAILURE(start_proxy_mode_pgroute(dir, ports));
    const std::string conninfo = scram_user_conninfo(write_port());
    std::vector<std::unique_ptr<libpq_conn>> movers;
    for (std::size_t i = 0; i < moving_sessions; ++i) {
        movers.push_back(std::make_unique<libpq_conn>(conninfo));
        if (i == 0) {
            EXPECT_EQ(cluster().node_serving(*movers.back()), old_leader);
        }
        change_settings_and_prepare(*movers.back(), i);
    }
    libpq_conn pinned(conninfo);
    pinned.exec("CREATE TEMP TABLE pinned_here (x int)");
    const std::string pinned_series = "pgroute_sessions_pinned{endpoint=\"write\"}";
    EXPECT_EQ(scrape(ports[2], pinned_series), 1);

    libpq_conn old_leader_superuser(cluster().conninfo(old_leader));
    const std::string old_port =
        old_leader_superuser.exec_scalar("SELECT inet_server_port()").value();
    old_leader_superuser.exec(
        "CREATE TABLE public.retry_probe (port int);"
        "GRANT ALL ON public.retry_probe TO scram_user;"
        "CREATE PROCEDURE public.commit_then_wait(old_port int) LANGUAGE plpgsql AS $$ BEGIN "
        "INSERT INTO public.retry_probe VALUES (-1); COMMIT; "
        "PERFORM pg_sleep(CASE WHEN inet_server_port() = old_port THEN 60 ELSE 0 END); END $$;"
        "GRANT EXECUTE ON PROCEDURE public.commit_then_wait(int) TO scram_user");
    const std::string in_flight = conninfo + " application_name=in_flight_at_shutdown";
    libpq_conn retried_session(in_flight);
    libpq_conn committed_session(in_flight);
    statement_at_shutdown retried;
    statement_at_shutdown committed;
    run_at_shutdown(retried, retried_session,
                    "INSERT INTO public.retry_probe SELECT inet_server_port() FROM pg_sleep(CASE "
                    "WHEN inet_server_port() = " +
                        old_port + " THEN 60 ELSE 0 END) RETURNING port");
    run_at_shutdown(committed, committed_session, "CALL public.commit_then_wait(" + old_port + ")");
    wait_until(
        [&] {
            return old_leader_superuser.exec_scalar(
                       "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND "
                       "application_name = 'in_flight_at_shutdown' AND wait_event = 'PgSleep'") ==
                   "2";
        },
        10s, "both statements sleep on " + old_leader);

    ASSERT_NO_THROW(cluster().switchover(candidate));
    retried.client.join();
    committed.client.join();
    EXPECT_EQ(retried.sqlstate, "");
    EXPECT_EQ(cluster().node_on_port(static_cast<std::uint16_t>(std::stoi(retried.answer))),
              candidate);
    // Not run again: the old leader's FATAL, or pgroute's cut when Patroni's "stopping" reached
    // pgroute first (a statement that may have committed is cut at once, not held).
    EXPECT_TRUE(committed.sqlstate == "57P01" || committed.sqlstate == "08006")
        << committed.sqlstate;
    for (std::size_t i = 0; i < moving_sessions; ++i) {
        libpq_conn& session = *movers[i];
        // The prepared statement first: the session's next message after the move.
        const sql_rows read_back = session.exec_prepared("read_back", {std::to_string(i)});
        ASSERT_EQ(read_back.size(), 1u);
        EXPECT_EQ(read_back[0],
                  (sql_row{std::to_string(i + 1), "mover " + std::to_string(i),
                           "moved_schema, public", std::to_string(90'001 + i) + "ms"}));
        EXPECT_EQ(session.exec_scalar("SHOW work_mem"), "4MB");
        EXPECT_EQ(cluster().node_serving(session), candidate);
        EXPECT_EQ(session.exec_scalar("SELECT pg_is_in_recovery()"), "f");
    }
    movers.front()->exec("CREATE TABLE IF NOT EXISTS public.moved_sessions (at timestamptz)");
    movers.front()->exec("INSERT INTO public.moved_sessions VALUES (now())");
    // The client's cancel key now cancels on the new leader.
    std::thread cancel_soon([&] {
        std::this_thread::sleep_for(500ms);
        std::array<char, 256> error{};
        PGcancel* cancel = PQgetCancel(movers.front()->raw());
        EXPECT_EQ(PQcancel(cancel, error.data(), static_cast<int>(error.size())), 1)
            << error.data();
        PQfreeCancel(cancel);
    });
    EXPECT_EQ(sqlstate_thrown_by([&] { movers.front()->exec("SELECT pg_sleep(20)"); }), "57014");
    cancel_soon.join();

    // The old leader's FATAL as it shut down (57P01), or pgroute's cut (08006) if the topology
    // changed first; either says why the session could not move.
    std::string pinned_message;
    try {
        (void)exec_keeping_first_error(pinned.raw(), "SELECT 1", 10s);
    } catch (const pg_error& error) {
        pinned_message = error.what();
        EXPECT_TRUE(error.sqlstate() == "57P01" || error.sqlstate() == "08006") << error.what();
    }
    EXPECT_NE(pinned_message.find(
                  "could not move the session to another node: it used temporary objects"),
              std::string::npos)
        << pinned_message;
    const std::string log = pgroute_log();
    // The statement's session moved too.
    EXPECT_EQ(occurrences(log, "moved from node \"" + old_leader + "\""), moving_sessions + 1);
    EXPECT_EQ(occurrences(log, "running its statement again"), 1u);
    libpq_conn new_leader_superuser(cluster().conninfo(candidate));
    EXPECT_EQ(
        new_leader_superuser.exec_scalar("SELECT count(*) FROM public.retry_probe WHERE port = -1"),
        "1");  // the CALL ran once
    EXPECT_EQ(
        new_leader_superuser.exec_scalar("SELECT count(*) FROM public.retry_probe WHERE port > 0"),
        "1");  // the INSERT committed once, on the new leader
    double moved = 0;
    for (const char* reason : {"leader_changed", "no_write_target", "node_shutdown"}) {
        moved += scrape(ports[2], "pgroute_sessions_moved_total{endpoint=\"write\",reason=\"" +
                                      std::string(reason) + "\"}");
    }
    EXPECT_EQ(moved, static_cast<double>(moving_sessions + 1));
    EXPECT_EQ(scrape(ports[2], "pgroute_statements_retried_total{endpoint=\"write\"}"), 1.0);
    wait_until([&] { return scrape(ports[2], pinned_series) == 0; }, 10s,
               "the pinned session's end is counted");
    leader_ = candidate;
    ASSERT_NO_THROW(cluster().wait_until_healthy(cluster_settle_timeout));
}

// A replica's PostgreSQL restarted under idle read sessions (proxy mode): each moves to the other
// replica, its settings with it, and its next query runs there.
TEST_F(patroni_failover, InProxyModeReadSessionsOnARestartedReplicaMoveToTheOtherOne) {
    const temp_dir dir("pgroute-replica-moves");
    const std::vector<std::uint16_t> ports = free_ports(3);
    ASSERT_NO_FATAL_FAILURE(start_proxy_mode_pgroute(dir, ports));
    constexpr std::size_t readers = 10;
    std::vector<std::unique_ptr<libpq_conn>> sessions;
    std::vector<std::string> served_by;
    for (std::size_t i = 0; i < readers; ++i) {
        sessions.push_back(std::make_unique<libpq_conn>(scram_user_conninfo(read_port())));
        sessions.back()->exec("SET application_name = 'reader " + std::to_string(i) + "'");
        served_by.push_back(cluster().node_serving(*sessions.back()));
    }
    const std::string restarted = served_by.front();
    const std::size_t on_restarted =
        static_cast<std::size_t>(std::count(served_by.begin(), served_by.end(), restarted));
    ASSERT_NO_THROW(cluster().restart_postgres(restarted));

    for (std::size_t i = 0; i < readers; ++i) {
        const sql_rows rows =
            sessions[i]->exec("SELECT inet_server_port(), current_setting('application_name')");
        ASSERT_EQ(rows.size(), 1u);
        EXPECT_EQ(rows[0][1], "reader " + std::to_string(i));
        const std::string node =
            cluster().node_on_port(static_cast<std::uint16_t>(std::stoi(rows[0][0].value())));
        if (served_by[i] == restarted) {
            EXPECT_NE(node, restarted) << "reader " << i << " is still on the restarted replica";
            EXPECT_NE(node, leader_) << "reader " << i << " moved to the leader";
        } else {
            EXPECT_EQ(node, served_by[i]) << "reader " << i << " moved without a cause";
        }
    }
    // Whichever pgroute heard first moved it: Patroni reporting the restart (node_lost), or the
    // shutdown's FATAL (node_shutdown).
    EXPECT_EQ(occurrences(pgroute_log(), "moved from node \"" + restarted + "\""), on_restarted);
    ASSERT_NO_THROW(cluster().wait_until_healthy(cluster_settle_timeout));
}

TEST_F(patroni_failover, LeaderKilledWithSigkillIsReplacedAndWritesReachTheNewLeader) {
    const std::string old_leader = leader_;
    const auto load = start_write_load();

    const double killed_at = load->now();
    EXPECT_EQ(cluster().kill9_leader(), old_leader);
    const change_watch elected(
        [&] {
            const std::optional<std::string> leader = cluster().leader_name();
            return leader && *leader != old_leader;
        },
        load->began());
    std::string new_leader;
    wait_until(
        [&] {
            for (const std::string& replica : replicas_) {
                if (load->first_success_on(replica, killed_at)) new_leader = replica;
            }
            return !new_leader.empty();
        },
        new_leader_write_timeout, "a write through pgroute commits on a new leader");
    std::this_thread::sleep_for(2s);
    load->stop();

    const std::optional<double> last_old = load->last_success_on(old_leader);
    const std::optional<double> first_new = load->first_success_on(new_leader);
    std::cout << "kill -9 of " << old_leader << "'s Patroni and postmaster under " << writer_threads
              << " writers; seconds since the kill:\n";
    print_timing("last write committed on " + old_leader, last_old, killed_at);
    print_timing("Patroni's /cluster names a new leader", elected.at(), killed_at);
    print_timing("first write committed on " + new_leader, first_new, killed_at);
    print_timing("write outage (last old write to first new)", first_new,
                 last_old.value_or(killed_at));
    const std::vector<write_error> errors = load->errors();
    print_errors(errors);

    expect_no_write_reached_a_standby(errors);
    // New sessions wait for the new leader (limits.hold_timeout) instead of being refused, so
    // only what the old leader had in hand fails, at most one write per writer, each with a
    // SQLSTATE (the node's FATAL, or pgroute's 08006 for the dropped connection).
    EXPECT_LE(errors.size(), std::size_t{writer_threads});
    for (const write_error& error : errors) {
        EXPECT_FALSE(is_hang(error)) << "at " << error.at << " s: " << error.message;
        EXPECT_FALSE(error.sqlstate.empty()) << "at " << error.at << " s: " << error.message;
    }
    expect_writes_moved(*load, old_leader, new_leader);
    expect_new_sessions_reach(new_leader);
}

}  // namespace
}  // namespace pgroute::test_support
