// A worker's copy of the current topology snapshot, the sessions waiting for a newer one, and
// the round-robin position of each endpoint. Owning worker's thread only.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "health/topology/snapshot.h"
#include "proxy/session/wait_list.h"

namespace pgroute::proxy {

class worker_topology {
  public:
    using time_point = std::chrono::steady_clock::time_point;

    // `changes`: whether the source ever publishes another snapshot (topology_source::changes).
    // Workers start their round-robin at different places so that the first sessions of each
    // do not all go to the same replica.
    worker_topology(health::topology_ptr initial, bool changes, std::size_t endpoint_count,
                    std::uint64_t first_ticket);

    [[nodiscard]] const health::topology_ptr& current() const { return current_; }
    // Adopts a published snapshot and wakes the sessions waiting for one.
    void adopt(health::topology_ptr next);
    // The worker is stopping: nobody waits any more, and those waiting are woken.
    void close();

    // Whether a session with no node to go to may wait for the next snapshot until `give_up`.
    [[nodiscard]] bool may_wait(time_point give_up) const;
    // Returns once the current snapshot is not `seen`, or when the session may wait no longer.
    [[nodiscard]] asio::awaitable<void> wait_for_newer(const health::topology_ptr& seen,
                                                       time_point give_up);
    // The endpoint's next round-robin position.
    [[nodiscard]] std::uint64_t take_ticket(std::size_t endpoint_index) {
        return tickets_[endpoint_index]++;
    }

  private:
    health::topology_ptr current_;
    bool changes_;
    bool closed_ = false;
    std::vector<std::uint64_t> tickets_;
    wait_list waiting_;
};

}  // namespace pgroute::proxy
