#include "proxy/session/wait_list.h"

#include <algorithm>
#include <asio/experimental/as_tuple.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

namespace pgroute::proxy {

asio::awaitable<void> wait_list::wait(asio::steady_timer::time_point until) {
    asio::steady_timer timer(co_await asio::this_coro::executor, until);
    waiting_.push_back(&timer);
    struct leave {
        std::vector<asio::steady_timer*>& waiting;
        asio::steady_timer* timer;
        ~leave() { std::erase(waiting, timer); }
    } on_exit{waiting_, &timer};
    // Expiry and cancellation both end the wait; the caller looks at what changed.
    co_await timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
}

void wait_list::notify_all() {
    // Cancelling only queues each wait's completion, so none leaves the list while it is walked.
    for (auto* timer : waiting_)
        timer->cancel();
}

}  // namespace pgroute::proxy
