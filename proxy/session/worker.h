// One thread's share of the proxy: its own io_context, its own listeners on every endpoint
// (SO_REUSEPORT), its own sessions and its own copy of the current topology.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <atomic>
#include <vector>

#include "proxy/session/worker_context.h"

namespace pgroute::proxy {

// What every worker is given to share with the others: each read-only or synchronised on its own.
struct worker_shared {
    const config& cfg;
    const logger& log;
    std::atomic<std::uint32_t>& client_count;
    cancel_keys& keys;
    tls_contexts& tls;
    const proxy_auth* auth;  // set in proxy mode
};

class worker {
  public:
    // `topology_changes`: whether the source publishes snapshots after `topology`.
    worker(const worker_shared& shared, unsigned index, health::topology_ptr topology,
           bool topology_changes);

    // Opens this worker's listeners. Throws std::runtime_error naming the address on failure.
    void listen();
    // Runs the event loop on the calling thread until stop() has drained the sessions.
    void run();
    // Thread-safe: hands a new snapshot to this worker, which cuts what it invalidates.
    void publish(health::topology_ptr topology);
    // Thread-safe: stops accepting and ends every session with an admin-shutdown error.
    void stop();
    // Thread-safe: the counters the admin listener reads.
    [[nodiscard]] const worker_metrics& metrics() const { return context_.metrics; }

  private:
    void apply(health::topology_ptr topology);
    void cut_all_for_shutdown();
    // Waits (bounded) for the sessions to finish their goodbyes, then stops the loop.
    asio::awaitable<void> drain();

    // Before io_, so it outlives it: sessions still running when the loop stops are destroyed
    // with io_, and their registrations and counters point into the context.
    unsigned index_;
    worker_context context_;
    asio::io_context io_{1};
    std::vector<asio::ip::tcp::acceptor> acceptors_;
};

}  // namespace pgroute::proxy
