// A real PostgreSQL 15 primary with one streaming replica on 127.0.0.1, for tests that need a
// server on the other side of the proxy. Everything lives in a temp dir and dies with the object.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/pg_server.h"
#include "tests/support/temp_dir.h"

namespace pgroute::test_support {

enum class pg_node { primary, replica };

struct pg_role {
    std::string_view name;
    std::string_view password;
};

// The roles the cluster is made with; pg_hba admits each from 127.0.0.1 by its own method.
// trust_role logs in with any password or none; every other role needs its password. The
// superuser is trusted from 127.0.0.1, for set-up and inspection.
inline constexpr pg_role trust_role{"trust_user", "trust_password"};
inline constexpr pg_role md5_role{"md5_user", "md5_password"};  // stored as md5, checked by md5
inline constexpr pg_role scram_role{"scram_user", "scram_password"};  // scram-sha-256
// The database tests use; every role may create tables in its public schema.
inline constexpr std::string_view test_database = "pgroute_test";

// PostgreSQL's own TLS (ssl = on) with this certificate and key. The key must belong to the user
// PostgreSQL runs as (or to root, mode 0640) and be readable by no one else: PostgreSQL checks.
struct pg_server_tls {
    std::filesystem::path cert_file;
    std::filesystem::path key_file;
};

struct pg_cluster_options {
    std::optional<pg_server_tls> tls{};  // none: ssl = off, PostgreSQL's default
};

class pg_cluster {
  public:
    // Returns once the replica streams from the primary; throws with the failing log otherwise.
    pg_cluster();
    explicit pg_cluster(const pg_cluster_options& options);
    ~pg_cluster() { stop(); }
    pg_cluster(const pg_cluster&) = delete;
    pg_cluster& operator=(const pg_cluster&) = delete;

    [[nodiscard]] std::uint16_t port(pg_node node) const { return server(node).port(); }
    [[nodiscard]] const std::filesystem::path& data_dir(pg_node node) const {
        return server(node).data_dir();
    }
    [[nodiscard]] const std::filesystem::path& log_path(pg_node node) const {
        return server(node).log_path();
    }
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_.path(); }
    // A libpq conninfo for `node` on 127.0.0.1; see loopback_conninfo.
    [[nodiscard]] std::string conninfo(pg_node node, std::string_view user = superuser,
                                       std::string_view dbname = test_database,
                                       std::string_view password = {}) const;

    // Stops the replica, then the primary (so the primary's shutdown does not wait on it).
    void stop();
    // Immediate shutdown of the replica: its clients lose their sessions as in a crash.
    void kill_replica();
    // Fast shutdown of the replica (pg_ctl stop -m fast): its sessions end with 57P01.
    void stop_replica();
    // Starts the replica again and returns once it streams.
    void start_replica();

  private:
    pg_cluster(const pg_cluster_options& options, const std::vector<std::uint16_t>& ports);
    [[nodiscard]] const pg_server& server(pg_node node) const;
    void wait_until_replica_streams() const;

    temp_dir dir_;
    pg_server primary_;
    pg_server replica_;
};

}  // namespace pgroute::test_support
