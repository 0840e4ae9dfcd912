// A real primary + streaming replica with one pgroute (static roles) in front of them, and a
// gtest fixture that shares it across a suite: each start costs seconds.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include "tests/support/libpq_conn.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/pgroute_config.h"
#include "tests/support/pgroute_process.h"
#include "tests/support/ports.h"
#include "tests/support/text_file.h"

namespace pgroute::test_support {

// The ports a pgroute in front of a cluster listens on.
struct proxy_ports {
    std::uint16_t write = 0;
    std::uint16_t read = 0;

    static proxy_ports pick() {
        const auto ports = free_ports(2);
        return {ports[0], ports[1]};
    }
};

// pgroute in static mode with node "primary" and node "replica1" of `cluster`.
[[nodiscard]] inline std::string cluster_config(const pg_cluster& cluster, proxy_ports ports,
                                                std::string_view extra_yaml = {}) {
    return static_config(cluster.port(pg_node::primary), {cluster.port(pg_node::replica)},
                         ports.write, ports.read, extra_yaml);
}

struct proxied_cluster {
    pg_cluster cluster;
    proxy_ports ports = proxy_ports::pick();
    pgroute_process pgroute{cluster_config(cluster, ports), {ports.write, ports.read}};

    [[nodiscard]] std::string write_conninfo(std::string_view user = superuser,
                                             std::string_view password = {}) const {
        return loopback_conninfo(ports.write, user, test_database, password);
    }
    [[nodiscard]] std::string read_conninfo(std::string_view user = superuser,
                                            std::string_view password = {}) const {
        return loopback_conninfo(ports.read, user, test_database, password);
    }
    // A session on the primary that bypasses the proxy, to inspect what the proxy did.
    [[nodiscard]] libpq_conn direct_to_primary() const {
        return libpq_conn(cluster.conninfo(pg_node::primary));
    }
};

// Fixture for a suite whose tests share one `Shared` (a pg_cluster, a proxied_cluster), started
// before the suite's first test and stopped after its last. If it cannot start, every test fails
// with the reason; at the end a shared pgroute must stop cleanly (exit 0 on SIGTERM).
template <class Shared>
class shared_suite : public testing::Test {
  protected:
    static void SetUpTestSuite() {
        try {
            shared_ = std::make_unique<Shared>();
        } catch (const std::exception& e) {
            start_error_ = e.what();
        }
    }
    static void TearDownTestSuite() {
        if constexpr (requires(Shared & s) { s.pgroute.stop(); }) {
            if (shared_) {
                EXPECT_NO_THROW(shared_->pgroute.stop());
            }
        }
        shared_.reset();
    }
    void SetUp() override {
        if (!shared_) {
            GTEST_FAIL() << "the shared servers did not start: " << start_error_;
        }
    }

    [[nodiscard]] static Shared& env() { return *shared_; }

  private:
    static inline std::unique_ptr<Shared> shared_;
    static inline std::string start_error_;
};

}  // namespace pgroute::test_support
