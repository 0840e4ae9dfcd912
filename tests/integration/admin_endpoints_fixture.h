// The suite the admin-listener tests in static mode share (admin_endpoints_test.cpp,
// admin_metrics_test.cpp, admin_charts_test.cpp, admin_refusals_test.cpp): pgroute with its admin
// listener in front of a primary and a replica, started once for the binary, and the names of
// the series they read.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/admin_test_client.h"
#include "tests/integration/proxy_test_cluster.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {

inline constexpr std::string_view pgroute_binary = PGROUTE_BINARY;
inline constexpr auto metric_timeout = std::chrono::seconds(10);

// pgroute in static mode in front of a primary and a replica, with its admin listener on.
struct admin_cluster {
    pg_cluster cluster;
    std::vector<std::uint16_t> ports = free_ports(3);
    proxy_ports proxy{ports[0], ports[1]};
    std::uint16_t admin_port = ports[2];
    pgroute_process pgroute{cluster_config(cluster, proxy, admin_section(admin_port)),
                            {proxy.write, proxy.read, admin_port}};

    [[nodiscard]] std::string write_conninfo() const {
        return loopback_conninfo(proxy.write, superuser, test_database);
    }
    [[nodiscard]] std::string read_conninfo() const {
        return loopback_conninfo(proxy.read, superuser, test_database);
    }
    [[nodiscard]] double metric(std::string_view series) const {
        return scrape(admin_port, series);
    }
    // Returns once `series` has reached `value`; throws (naming it) after metric_timeout.
    void wait_for_metric(const std::string& series, double value) const {
        wait_until([&] { return metric(series) == value; }, metric_timeout,
                   series + " == " + std::to_string(value));
    }
};

using admin_endpoints = shared_suite<admin_cluster>;

inline std::string route_series(std::string_view family, std::string_view endpoint,
                                std::string_view node) {
    return std::string(family) + "{endpoint=\"" + std::string(endpoint) + "\",node=\"" +
           std::string(node) + "\"}";
}

inline std::string endpoint_series(std::string_view family, std::string_view endpoint,
                                   std::string_view reason = {}) {
    std::string series = std::string(family) + "{endpoint=\"" + std::string(endpoint) + "\"";
    if (!reason.empty()) series += ",reason=\"" + std::string(reason) + "\"";
    return series + "}";
}

inline std::string cancel_series(std::string_view endpoint, std::string_view outcome) {
    return "pgroute_cancel_requests_total{endpoint=\"" + std::string(endpoint) + "\",outcome=\"" +
           std::string(outcome) + "\"}";
}

inline nlohmann::json get_json(std::uint16_t port, const std::string& path) {
    const auto answer = http_get_loopback(port, path);
    if (answer.status != 200) throw std::runtime_error("GET " + path + ": " + answer.error);
    return nlohmann::json::parse(answer.body);
}

}  // namespace pgroute::test_support
