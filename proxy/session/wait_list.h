// Coroutines of one worker that wait for something to change — a newer topology snapshot (a
// leader during a switchover), a pooled auth_query connection given back — woken the moment it
// does, instead of each polling for it.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>
#include <vector>

namespace pgroute::proxy {

class wait_list {
  public:
    // Returns at the next notify_all() or at `until`, whichever comes first. Owning worker's
    // thread only, as notify_all().
    [[nodiscard]] asio::awaitable<void> wait(asio::steady_timer::time_point until);
    // Wakes every waiter: what they wait for changed, or the worker is stopping.
    void notify_all();

  private:
    std::vector<asio::steady_timer*> waiting_;
};

}  // namespace pgroute::proxy
