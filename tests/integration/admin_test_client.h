// What the admin-listener integration tests share: the admin: section that turns the listener on,
// a GET with a deadline, and one sample read out of the Prometheus text.
#pragma once

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "health/patroni/http_client.h"

namespace pgroute::test_support {

[[nodiscard]] inline std::string admin_section(std::uint16_t port) {
    return "admin:\n  listen: 127.0.0.1:" + std::to_string(port) + "\n";
}

struct admin_answer {
    int status = 0;     // 0 when no answer came
    std::string body;   // for a 200 only
    std::string error;  // why it failed, when it did
};

// GET `path` (a query string included) from a server on 127.0.0.1:port.
[[nodiscard]] inline admin_answer http_get_loopback(
    std::uint16_t port, std::string path,
    std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    asio::io_context io;
    auto answer = asio::co_spawn(
        io, health::http_get({"127.0.0.1", port, ""}, std::move(path), timeout), asio::use_future);
    io.run();
    auto result = answer.get();
    return {result.status_code, std::move(result.body), std::move(result.error)};
}

// The value of the sample whose name and labels are exactly `series`, e.g.
// pgroute_queries_total{endpoint="write",node="primary"}; nullopt if there is none.
[[nodiscard]] inline std::optional<double> sample_value(std::string_view exposition,
                                                        std::string_view series) {
    const std::string line_start = "\n" + std::string(series) + " ";
    const auto at = exposition.find(line_start);
    if (at == std::string_view::npos) return std::nullopt;
    const auto value_at = at + line_start.size();
    const auto end = exposition.find('\n', value_at);
    return std::stod(std::string(exposition.substr(value_at, end - value_at)));
}

// The current value of `series` on pgroute's /metrics; throws if pgroute does not answer or
// does not have the series.
[[nodiscard]] inline double scrape(std::uint16_t admin_port, std::string_view series) {
    const auto answer = http_get_loopback(admin_port, "/metrics");
    if (answer.status != 200) throw std::runtime_error("GET /metrics failed: " + answer.error);
    const auto value = sample_value(answer.body, series);
    if (!value) throw std::runtime_error("no sample " + std::string(series) + " in /metrics");
    return *value;
}

}  // namespace pgroute::test_support
