// What the admin-listener integration tests share: the admin: section that turns the listener on,
// a GET with a deadline, a POST, and one sample read out of the Prometheus text.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>

#include "health/patroni/http_client.h"
#include "tests/support/unique_fd.h"

namespace pgroute::test_support {

[[nodiscard]] inline std::string admin_section(std::uint16_t port) {
    return "admin:\n  listen: 127.0.0.1:" + std::to_string(port) + "\n";
}

struct admin_answer {
    int status = 0;     // 0 when no answer came
    std::string body;   // a GET's for a 200 only, a POST's for any
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

// POST `path` with no body to 127.0.0.1:port, HTTP/1.1; the admin listener closes after it.
[[nodiscard]] inline admin_answer http_post_loopback(std::uint16_t port, const std::string& path) {
    const unique_fd socket(::socket(AF_INET, SOCK_STREAM, 0), "socket");
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{15, 0};  // a reload that replaces a Patroni source waits for its first poll
    ::setsockopt(socket.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (::connect(socket.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
        throw std::runtime_error("cannot connect to the admin listener");
    }
    const std::string request =
        "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n";
    if (::send(socket.get(), request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size())) {
        throw std::runtime_error("cannot send the request");
    }
    std::string response;
    char chunk[4096];
    for (ssize_t got; (got = ::recv(socket.get(), chunk, sizeof chunk, 0)) > 0;)
        response.append(chunk, static_cast<std::size_t>(got));
    std::smatch status;
    if (!std::regex_search(response, status, std::regex(R"(^HTTP/1\.1 (\d{3}) )"))) {
        throw std::runtime_error("no HTTP answer: " + response);
    }
    const auto body_at = response.find("\r\n\r\n");
    return {std::stoi(status[1].str()),
            body_at == std::string::npos ? "" : response.substr(body_at + 4), ""};
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
