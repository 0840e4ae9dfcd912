// The suite of the TLS tests (proxy_tls_test.cpp, proxy_tls_node_test.cpp): a primary and a
// replica running ssl = on with a certificate of the test CA, so that each node can say
// (pg_stat_ssl) whether pgroute's session to it is encrypted; each test starts its own pgroute
// with the TLS settings it is about.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/proxy_test_cluster.h"
#include "tests/integration/proxy_test_libpq.h"
#include "tests/support/test_certs.h"

namespace pgroute::test_support {

// The certificates first: the cluster's nodes start with theirs.
struct tls_cluster {
    temp_dir cert_dir{"pgroute-certs"};
    test_certs certs = make_test_certs(cert_dir.path());
    pg_cluster cluster{pg_cluster_options{
        .tls = pg_server_tls{.cert_file = certs.node_cert, .key_file = certs.node_key}}};
};

// pgroute's `tls:` section: its own certificate and, when given, the CA that client
// certificates must chain to.
inline std::string tls_section(const test_certs& certs,
                               const std::filesystem::path& client_ca = {}) {
    std::string yaml = "tls:\n  cert_file: " + certs.server_cert.string() +
                       "\n  key_file: " + certs.server_key.string() + "\n";
    if (!client_ca.empty()) yaml += "  ca_file: " + client_ca.string() + "\n";
    return yaml;
}

inline std::string server_tls_section(std::string_view mode,
                                      const std::filesystem::path& ca_file = {}) {
    std::string yaml = "server_tls:\n  mode: " + std::string(mode) + "\n";
    if (!ca_file.empty()) yaml += "  ca_file: " + ca_file.string() + "\n";
    return yaml;
}

// libpq options that accept only a server certificate that chains to `root` and names
// 127.0.0.1 (the host connected to).
inline std::string verify_full(const std::filesystem::path& root) {
    return "sslmode=verify-full sslrootcert='" + root.string() + "'";
}

// Whether the node serving `session` sees that session encrypted: "t" or "f". Through pgroute,
// the session the node sees is pgroute's, so this shows the pgroute -> node leg.
inline std::optional<std::string> node_sees_tls(libpq_conn& session) {
    return session.exec_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
}

inline bool contains_ignoring_case(std::string_view text, std::string_view needle) {
    const auto lower = [](std::string_view s) {
        std::string out(s);
        std::transform(out.begin(), out.end(), out.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return out;
    };
    return lower(text).find(lower(needle)) != std::string::npos;
}

// Each test starts its own pgroute (milliseconds) in front of the shared cluster, with the TLS
// settings it is about, and stops it at the end: a clean exit on SIGTERM is part of the contract.
class proxy_tls : public shared_suite<tls_cluster> {
  protected:
    void TearDown() override {
        if (pgroute_) {
            EXPECT_NO_THROW(pgroute_->stop());
        }
    }

    [[nodiscard]] static const test_certs& certs() { return env().certs; }
    [[nodiscard]] static const pg_cluster& cluster() { return env().cluster; }

    // `extra_yaml` holds the top-level sections (tls:, server_tls:, limits:). A pgroute this
    // test started before is stopped first: the new one takes over its ports.
    pgroute_process& start_pgroute(std::string_view extra_yaml, endpoint_tls endpoint_tls = {}) {
        if (pgroute_) {
            EXPECT_NO_THROW(pgroute_->stop());
            pgroute_.reset();
        }
        pgroute_ = std::make_unique<pgroute_process>(
            static_config(cluster().port(pg_node::primary), {cluster().port(pg_node::replica)},
                          ports_.write, ports_.read, extra_yaml, endpoint_tls),
            std::vector<std::uint16_t>{ports_.write, ports_.read});
        return *pgroute_;
    }

    // Through pgroute's `port` as `role` (with its password), with libpq `options` appended.
    [[nodiscard]] static std::string via(std::uint16_t port, std::string_view options,
                                         const pg_role& role = trust_role) {
        return loopback_conninfo(port, role.name, test_database, role.password) + " " +
               std::string(options);
    }

    [[nodiscard]] std::string log() const { return pgroute_ ? pgroute_->log_text() : ""; }

    const proxy_ports ports_ = proxy_ports::pick();

  private:
    std::unique_ptr<pgroute_process> pgroute_;
};

}  // namespace pgroute::test_support
