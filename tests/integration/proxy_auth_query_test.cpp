// auth.mode: proxy with auth_query, as PgBouncer's: the auth_file lists only auth_user (md5_user,
// with its md5 hash), and every other user's stored password comes from the primary, through a
// SECURITY DEFINER function that reads pg_shadow for a role that may not. pgroute then
// authenticates the client by that password and logs into the node in its name, as with an
// auth_file: a query that runs proves it.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tests/integration/proxy_test_cluster.h"
#include "tests/integration/proxy_test_libpq.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text_file.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view lookup_function_sql =
    "CREATE SCHEMA IF NOT EXISTS pgroute_auth;"
    "CREATE OR REPLACE FUNCTION pgroute_auth.lookup(name text, OUT usename name, OUT passwd text)"
    " RETURNS SETOF record LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog"
    " AS $$ SELECT usename, passwd FROM pg_shadow WHERE usename = name $$;"
    "REVOKE ALL ON FUNCTION pgroute_auth.lookup(text) FROM PUBLIC;"
    "GRANT USAGE ON SCHEMA pgroute_auth TO md5_user;"
    "GRANT EXECUTE ON FUNCTION pgroute_auth.lookup(text) TO md5_user;";

struct auth_query_cluster {
    pg_cluster cluster;
    temp_dir dir{"pgroute-auth-query"};

    auth_query_cluster() {
        libpq_conn primary(cluster.conninfo(pg_node::primary, superuser, test_database));
        primary.exec(std::string(lookup_function_sql));
        md5_hash = primary
                       .exec_scalar("SELECT rolpassword FROM pg_authid WHERE rolname = '" +
                                    std::string(md5_role.name) + "'")
                       .value_or("");
    }

    // A pgroute whose auth_file holds only auth_user, with `secret` for it.
    [[nodiscard]] std::string config(const proxy_ports& ports, std::string_view secret,
                                     std::string_view extra = {}) const {
        const auto userlist = dir.path() / ("userlist-" + std::to_string(ports.write) + ".txt");
        write_text(userlist,
                   "\"" + std::string(md5_role.name) + "\" \"" + std::string(secret) + "\"\n");
        return cluster_config(cluster, ports,
                              "auth:\n  mode: proxy\n  auth_file: " + userlist.string() +
                                  "\n  auth_user: " + std::string(md5_role.name) +
                                  "\n  auth_query: SELECT usename, passwd FROM "
                                  "pgroute_auth.lookup($1)\n" +
                                  std::string(extra));
    }
    [[nodiscard]] static std::string conninfo(std::uint16_t port, std::string_view user,
                                              std::string_view password = {}) {
        return loopback_conninfo(port, user, test_database, password);
    }

    std::string md5_hash;
};

using proxy_auth_query = shared_suite<auth_query_cluster>;

struct pgroute_with_auth_query {
    pgroute_with_auth_query(const auth_query_cluster& env, std::string_view secret,
                            std::string_view extra = {})
        : pgroute(env.config(ports, secret, extra), {ports.write, ports.read}) {}
    proxy_ports ports = proxy_ports::pick();
    pgroute_process pgroute;
};

void expect_runs_as(const std::string& conninfo, const pg_role& role) {
    libpq_conn conn(conninfo);
    EXPECT_EQ(conn.exec_scalar("SELECT current_user"), std::string(role.name));
    EXPECT_EQ(conn.exec_scalar("SELECT 6 * 7"), "42");
}

TEST_F(proxy_auth_query, UsersNotInTheAuthFileAreLookedUpOnThePrimaryAndLogIn) {
    const pgroute_with_auth_query proxy(env(), env().md5_hash);
    // scram_user's SCRAM secret, from pg_shadow: SCRAM to pgroute, SCRAM to the node.
    expect_runs_as(env().conninfo(proxy.ports.write, scram_role.name, scram_role.password),
                   scram_role);
    expect_runs_as(env().conninfo(proxy.ports.read, scram_role.name, scram_role.password),
                   scram_role);
    // trust_user has a password the nodes never ask for: pgroute asks for it all the same, as
    // pg_shadow has a secret for it.
    expect_runs_as(env().conninfo(proxy.ports.write, trust_role.name, trust_role.password),
                   trust_role);
    // auth_user itself comes from the auth_file.
    expect_runs_as(env().conninfo(proxy.ports.write, md5_role.name, md5_role.password), md5_role);

    // The answer is kept for auth_cache_ttl: scram_user was looked up once for two sessions.
    const std::string log = proxy.pgroute.log_text();
    EXPECT_EQ(occurrences(log, "auth_query on node \"primary\": found"), 2u) << log;
}

TEST_F(proxy_auth_query, AWrongPasswordAndAnUnknownUserGetTheSame28P01) {
    const pgroute_with_auth_query proxy(env(), env().md5_hash);
    for (const auto& [user, password] :
         {std::pair{std::string(scram_role.name), "not the password"},
          std::pair{std::string("nobody"), "secret"}}) {
        const login_refusal failure =
            login_failure(env().conninfo(proxy.ports.write, user, password));
        EXPECT_EQ(failure.sqlstate, "28P01") << failure.message;
        EXPECT_NE(failure.message.find("password authentication failed for user \"" + user + "\""),
                  std::string::npos)
            << failure.message;
    }
    EXPECT_NE(proxy.pgroute.log_text().find("auth_query on node \"primary\": no such user"),
              std::string::npos);
}

TEST_F(proxy_auth_query, WithoutACacheEverySessionIsLookedUp) {
    const pgroute_with_auth_query proxy(env(), env().md5_hash, "  auth_cache_ttl: 0s\n");
    for (int i = 0; i < 3; ++i) {
        expect_runs_as(env().conninfo(proxy.ports.write, scram_role.name, scram_role.password),
                       scram_role);
    }
    EXPECT_EQ(occurrences(proxy.pgroute.log_text(), "auth_query on node \"primary\": found"), 3u);
}

// auth_user's own login failing is pgroute's problem, not the client's password: a FATAL that
// names it, at once.
TEST_F(proxy_auth_query, AnAuthUserTheNodeRefusesIsNamedInAClearFatal) {
    const pgroute_with_auth_query proxy(env(), "md5" + std::string(32, '0'));
    const auto asked = std::chrono::steady_clock::now();
    const login_refusal failure =
        login_failure(env().conninfo(proxy.ports.write, scram_role.name, scram_role.password));
    EXPECT_LT(std::chrono::steady_clock::now() - asked, 5s);
    EXPECT_EQ(failure.sqlstate, "08006") << failure.message;
    EXPECT_NE(failure.message.find("pgroute could not look up user \"scram_user\": node primary: "
                                   "the node refused auth_user \"md5_user\": password "
                                   "authentication failed for user \"md5_user\""),
              std::string::npos)
        << failure.message;
}

}  // namespace
}  // namespace pgroute::test_support
