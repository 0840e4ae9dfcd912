#include "proxy/session/worker_topology.h"

namespace pgroute::proxy {

worker_topology::worker_topology(health::topology_ptr initial, bool changes,
                                 std::size_t endpoint_count, std::uint64_t first_ticket)
    : current_(std::move(initial)), changes_(changes), tickets_(endpoint_count, first_ticket) {}

void worker_topology::adopt(health::topology_ptr next) {
    current_ = std::move(next);
    waiting_.notify_all();
}

void worker_topology::close() {
    closed_ = true;
    waiting_.notify_all();
}

bool worker_topology::may_wait(time_point give_up) const {
    return changes_ && !closed_ && std::chrono::steady_clock::now() < give_up;
}

asio::awaitable<void> worker_topology::wait_for_newer(const health::topology_ptr& seen,
                                                      time_point give_up) {
    // The health loop publishes one every patroni.fast_interval while there is no leader, and
    // adopt() wakes the waiting sessions as it takes each.
    while (current_ == seen && may_wait(give_up)) {
        co_await waiting_.wait(give_up);
    }
}

}  // namespace pgroute::proxy
