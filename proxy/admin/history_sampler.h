// Takes a sample for the status page's charts every interval, on the admin thread's io_context:
// the workers' counters are read exactly as a scrape reads them, so the data path pays nothing.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>

#include "proxy/admin/snapshot.h"
#include "proxy/admin/status_history.h"

namespace pgroute::proxy {

class history_sampler {
  public:
    // `sources` and `history` must outlive the sampler; `history` is written only from `io`.
    history_sampler(asio::io_context& io, const admin_sources& sources, status_history& history,
                    std::chrono::milliseconds interval);
    history_sampler(const history_sampler&) = delete;
    history_sampler& operator=(const history_sampler&) = delete;

    // A first sample at once, so the charts have a start; then one every interval.
    void start();
    // From the io_context's thread: no sample after this one returns.
    void stop();

  private:
    asio::awaitable<void> run();

    asio::io_context& io_;
    const admin_sources& sources_;
    status_history& history_;
    std::chrono::milliseconds interval_;
    asio::steady_timer timer_;
    bool stopped_ = false;
};

}  // namespace pgroute::proxy
