// A tiny HTTP server on 127.0.0.1 for the health tests: canned Patroni-style answers per path, and
// the ways a node's REST API can misbehave (silence, garbage). Runs on the test's io_context.
#pragma once

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace pgroute::health::testing {

class fake_http_server {
  public:
    explicit fake_http_server(asio::io_context& io);
    ~fake_http_server();

    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] std::string url() const;

    // Answers `path` as Patroni's HTTP/1.0 server does: no Content-Length, then closes.
    void answer(const std::string& path, int status, const std::string& body);
    // Sends these bytes, whatever they are, for `path`, then closes.
    void answer_raw(const std::string& path, std::string bytes);
    // Accepts connections and reads requests but never answers.
    void stay_silent() { silent_ = true; }

    [[nodiscard]] int requests(const std::string& path) const;
    [[nodiscard]] const std::string& last_request() const { return last_request_; }

  private:
    void accept_next();
    void serve(const std::shared_ptr<asio::ip::tcp::socket>& socket);

    asio::io_context& io_;
    asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    bool accept_pending_ = false;
    bool silent_ = false;
    std::map<std::string, std::string> answers_;
    std::map<std::string, int> requests_;
    std::string last_request_;
    std::vector<std::shared_ptr<asio::ip::tcp::socket>> held_;  // silent connections, kept open
};

// A loopback port with nothing listening: connecting is refused.
[[nodiscard]] std::uint16_t closed_port(asio::io_context& io);

// Runs `io` until `done()` holds or `limit` passes; false on the limit.
bool run_until(asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds limit = std::chrono::seconds(5));

}  // namespace pgroute::health::testing
