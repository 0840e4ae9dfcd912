// One thread's share of the proxy: its own io_context, its own listeners on every endpoint
// (SO_REUSEPORT), its own sessions and its own copy of the current topology.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <vector>

#include "proxy/session/worker_context.h"

namespace pgroute::proxy {

// What every worker is given to share with the others: each read-only or synchronised on its own.
struct worker_shared {
    const logger& log;
    std::atomic<std::uint32_t>& client_count;
    cancel_keys& keys;
    predecessor_cancels& old_process_cancels;
};

// What a worker listens with for one endpoint: sockets inherited from the pgroute this process
// upgrades (adopted as they are, their queued connections with them), or else one of its own.
// `address_inherited`: other workers adopted sockets on this address, so a socket of its own
// joins theirs (SO_REUSEPORT) instead of finding the address free.
struct endpoint_listeners {
    std::vector<int> sockets;
    bool address_inherited = false;
};

class worker {
  public:
    // `topology_changes`: whether the source publishes snapshots after `topology`.
    // `serving`: the generation the first sessions start with.
    worker(const worker_shared& shared, const std::shared_ptr<const generation>& serving,
           unsigned index, health::topology_ptr topology, bool topology_changes);

    // Opens this worker's listeners, or adopts `inherited` (by endpoint index; empty: none).
    // Throws std::runtime_error naming the address on failure.
    void listen(const std::vector<endpoint_listeners>& inherited = {});
    // The listening sockets, as listen() left them: what an upgrade hands over. Thread-safe.
    [[nodiscard]] const std::vector<int>& listening_fds() const { return listening_fds_; }
    // Runs the event loop on the calling thread until stop() has drained the sessions.
    void run();
    // Thread-safe: hands a new snapshot to this worker, which cuts what it invalidates.
    void publish(health::topology_ptr topology);
    // Thread-safe: the sessions this worker accepts once the future is ready start with `next`
    // (a reload); those running keep theirs. `next`'s endpoints are the running ones
    // (a reload that changes them is applied by a new process).
    [[nodiscard]] std::future<void> serve(std::shared_ptr<const generation> next);
    // Thread-safe: stops accepting and ends every session with an admin-shutdown error.
    void stop();
    // Thread-safe: stops accepting (an upgrade: the new process accepts on the same sockets),
    // lets the sessions end on their own for up to `grace`, then ends the rest as stop() does.
    void retire(std::chrono::milliseconds grace);
    // Thread-safe: the counters the admin listener reads.
    [[nodiscard]] const worker_metrics& metrics() const { return context_.metrics; }

  private:
    void apply(health::topology_ptr topology);
    void stop_accepting();
    void end_sessions();  // once
    void cut_all_for_shutdown();
    [[nodiscard]] asio::awaitable<void> let_sessions_finish(
        std::chrono::steady_clock::time_point deadline);
    // Waits (bounded) for the sessions to finish their goodbyes, then stops the loop.
    asio::awaitable<void> drain();

    // Before io_, so it outlives it: sessions still running when the loop stops are destroyed
    // with io_, and their registrations and counters point into the context.
    unsigned index_;
    worker_context context_;
    // What a reload replaced and a running session may still hold, so that run() can close
    // their auth_query connections before the loop's sockets go.
    std::vector<std::weak_ptr<const worker_generation>> replaced_;
    asio::io_context io_{1};
    std::vector<asio::ip::tcp::acceptor> acceptors_;
    std::vector<std::size_t> acceptor_endpoints_;  // the endpoint index of each acceptor
    std::vector<int> listening_fds_;
    bool ending_ = false;
};

}  // namespace pgroute::proxy
