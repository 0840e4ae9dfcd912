// Fixture for a Patroni suite whose tests each start a pgroute of their own in front of the shared
// cluster (patroni_suite.h), on two free ports; a test that fails prints pgroute's log.
#pragma once

#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/patroni_suite.h"
#include "tests/support/patroni_cluster.h"
#include "tests/support/pgroute_process.h"
#include "tests/support/ports.h"

namespace pgroute::test_support {

class patroni_pgroute_suite : public patroni_suite {
  protected:
    void TearDown() override {
        if (HasFailure() && pgroute_) std::cout << "pgroute's log:\n" << pgroute_->log_text();
    }

    // Returns once pgroute listens, which is before it routes: see start_routing_pgroute.
    void start_pgroute(patroni_proxy_settings settings = {}) {
        const std::vector<std::uint16_t> ports = free_ports(2);
        settings.write_port = ports[0];
        settings.read_port = ports[1];
        settings_ = settings;
        pgroute_.emplace(patroni_config(cluster(), settings_), ports);
    }

    // Returns once pgroute routes to all three nodes.
    void start_routing_pgroute(patroni_proxy_settings settings = {}) {
        start_pgroute(std::move(settings));
        cluster().wait_until_proxy_routes(write_port(), read_port(), routing_timeout);
    }

    // Starts pgroute on a config of the test's own, listening on `write_port` and `read_port`.
    void start_pgroute_with(std::string_view yaml, std::uint16_t write_port,
                            std::uint16_t read_port) {
        settings_.write_port = write_port;
        settings_.read_port = read_port;
        pgroute_.emplace(yaml, std::vector<std::uint16_t>{write_port, read_port});
    }

    [[nodiscard]] std::uint16_t write_port() const { return settings_.write_port; }
    [[nodiscard]] std::uint16_t read_port() const { return settings_.read_port; }
    [[nodiscard]] std::string pgroute_log() const { return pgroute_->log_text(); }

  private:
    patroni_proxy_settings settings_;
    std::optional<pgroute_process> pgroute_;
};

}  // namespace pgroute::test_support
