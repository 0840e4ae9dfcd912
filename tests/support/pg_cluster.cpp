#include "tests/support/pg_cluster.h"

#include <stdexcept>
#include <vector>

#include "tests/support/initdb_template.h"
#include "tests/support/libpq_conn.h"
#include "tests/support/ports.h"
#include "tests/support/text_file.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view replication_slot = "pgroute_replica";

// Disposable and fast, never durable: the data lives only as long as one test.
std::string server_settings(const std::filesystem::path& socket_dir) {
    return "\n# pgroute test cluster\n"
           "listen_addresses = '127.0.0.1'\n"
           "unix_socket_directories = '" +
           socket_dir.string() +
           "'\n"
           "max_connections = 200\n"
           "wal_level = replica\n"
           "fsync = off\n"
           "synchronous_commit = off\n"
           "full_page_writes = off\n"
           "shared_buffers = 32MB\n"
           "logging_collector = off\n"
           "log_connections = on\n"
           // Replicas report their position every second, so lag is seen soon.
           "wal_receiver_status_interval = 1s\n";
}

// Absolute paths, so that the replica's copy of postgresql.conf (pg_basebackup takes it along)
// finds the same files.
std::string tls_settings(const pg_server_tls& tls) {
    return "ssl = on\n"
           "ssl_cert_file = '" +
           std::filesystem::absolute(tls.cert_file).string() +
           "'\n"
           "ssl_key_file = '" +
           std::filesystem::absolute(tls.key_file).string() + "'\n";
}

std::string host_line(std::string_view database, std::string_view user, std::string_view method) {
    return "host " + std::string(database) + " " + std::string(user) + " 127.0.0.1/32 " +
           std::string(method) + "\n";
}

// `host` lines match TCP connections with and without TLS alike, so the same file serves a
// cluster with ssl = on: every role logs in by its method either way.
std::string client_authentication() {
    return "local all all trust\n" + host_line("all", superuser, "trust") +
           host_line("replication", superuser, "trust") +
           host_line("all", trust_role.name, "trust") + host_line("all", md5_role.name, "md5") +
           host_line("all", scram_role.name, "scram-sha-256") +
           // Roles that a test creates for itself.
           host_line("all", "all", "scram-sha-256");
}

std::string create_role(const pg_role& role, std::string_view password_encryption) {
    return "SET password_encryption = '" + std::string(password_encryption) + "'; CREATE ROLE " +
           std::string(role.name) + " LOGIN PASSWORD '" + std::string(role.password) + "';\n";
}

}  // namespace

pg_cluster::pg_cluster() : pg_cluster(pg_cluster_options{}) {}

pg_cluster::pg_cluster(const pg_cluster_options& options) : pg_cluster(options, free_ports(2)) {}

pg_cluster::pg_cluster(const pg_cluster_options& options, const std::vector<std::uint16_t>& ports)
    : dir_("pgroute-pg"),
      primary_(dir_.path() / "primary", ports[0], dir_.path() / "primary.log"),
      replica_(dir_.path() / "replica", ports[1], dir_.path() / "replica.log") {
    copy_initdb_template(primary_.data_dir());
    append_text(primary_.data_dir() / "postgresql.conf",
                server_settings(dir_.path()) + (options.tls ? tls_settings(*options.tls) : ""));
    write_text(primary_.data_dir() / "pg_hba.conf", client_authentication());
    primary_.start();

    // In template1 before the copy, so that the test database gets the grant too. The base
    // backup below carries all of it to the replica.
    libpq_conn setup(conninfo(pg_node::primary, superuser, "template1"));
    setup.exec(create_role(trust_role, "scram-sha-256") + create_role(md5_role, "md5") +
               create_role(scram_role, "scram-sha-256") +
               "GRANT CREATE ON SCHEMA public TO PUBLIC;");
    setup.exec("CREATE DATABASE " + std::string(test_database));

    run_checked({.argv = {pg_program("pg_basebackup"), "-h", "127.0.0.1", "-p",
                          std::to_string(primary_.port()), "-U", std::string(superuser), "-D",
                          replica_.data_dir().string(), "--write-recovery-conf",
                          "--wal-method=stream", "--checkpoint=fast", "--no-sync", "--create-slot",
                          "--slot=" + std::string(replication_slot)},
                 .working_dir = dir_.path(),
                 .as_postgres = true});
    start_replica();
}

std::string pg_cluster::conninfo(pg_node node, std::string_view user, std::string_view dbname,
                                 std::string_view password) const {
    return loopback_conninfo(port(node), user, dbname, password);
}

void pg_cluster::stop() {
    replica_.stop();
    primary_.stop();
}

void pg_cluster::kill_replica() {
    replica_.kill();
}

void pg_cluster::stop_replica() {
    replica_.stop();
}

void pg_cluster::start_replica() {
    replica_.start();
    wait_until_replica_streams();
}

const pg_server& pg_cluster::server(pg_node node) const {
    return node == pg_node::primary ? primary_ : replica_;
}

void pg_cluster::wait_until_replica_streams() const {
    libpq_conn primary(conninfo(pg_node::primary));
    const std::string streaming =
        "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'";
    wait_until([&] { return primary.exec_scalar(streaming) == "1"; }, 30s,
               "the replica streams from the primary (see " + replica_.log_path().string() + ")",
               10ms);
}

}  // namespace pgroute::test_support
