// The admin HTTP listener (admin.listen) on a thread and io_context of its own, so scrapers,
// however slow or many, never run on a worker's thread.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>

#include "proxy/admin/history_sampler.h"
#include "proxy/admin/routes.h"
#include "proxy/admin/snapshot.h"
#include "proxy/admin/status_history.h"
#include "proxy/config/config.h"
#include "proxy/log/logger.h"

namespace pgroute::proxy {

struct admin_server_limits {
    std::size_t max_connections = 64;                 // more are closed at once, unanswered
    std::chrono::milliseconds request_timeout{5000};  // to receive the request and send the answer
};

// One request per connection, a deadline on each, and a cap on how many are served at once.
class admin_server {
  public:
    // Binds at once, or adopts `inherited` (a listening socket an upgrading pgroute handed
    // over); throws std::runtime_error naming the address when it cannot.
    admin_server(const listen_address& at, const admin_sources& sources, admin_actions actions,
                 const logger& log, admin_server_limits limits = {},
                 std::optional<int> inherited = std::nullopt);
    admin_server(const admin_server&) = delete;
    admin_server& operator=(const admin_server&) = delete;
    ~admin_server();

    void start();
    // Thread-safe, and returns at once: closes the listener and every connection, and the thread
    // ends soon after. An upgrade's control thread calls this, not stop(): the admin thread may
    // be waiting on it (a POST /reload that starts a new process).
    void close();
    // Thread-safe, from any number of threads at once: close(), and returns once the thread
    // ended.
    void stop();

    [[nodiscard]] std::uint16_t port() const { return port_; }
    // The listening socket, for an upgrade's handover.
    [[nodiscard]] int listening_fd() const { return listening_fd_; }

  private:
    asio::awaitable<void> accept_connections();
    asio::awaitable<void> serve(asio::ip::tcp::socket socket);

    asio::io_context io_{1};
    asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    int listening_fd_ = -1;
    const admin_sources& sources_;
    admin_actions actions_;
    const logger& log_;
    admin_server_limits limits_;
    std::unordered_set<asio::ip::tcp::socket*> connections_;  // being served, to close on stop
    status_history history_;  // the status page's charts; touched only on thread_
    history_sampler sampler_{io_, sources_, history_, status_history::sample_interval};
    std::mutex stop_lock_;  // one stop() joins the thread, any other finds it joined
    std::thread thread_;
};

}  // namespace pgroute::proxy
