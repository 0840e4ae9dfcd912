#include "proxy/admin/history_sampler.h"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

namespace pgroute::proxy {

history_sampler::history_sampler(asio::io_context& io, const admin_sources& sources,
                                 status_history& history, std::chrono::milliseconds interval)
    : io_(io), sources_(sources), history_(history), interval_(interval), timer_(io) {}

void history_sampler::start() {
    asio::co_spawn(io_, run(), asio::detached);
}

void history_sampler::stop() {
    stopped_ = true;
    timer_.cancel();
}

asio::awaitable<void> history_sampler::run() {
    // Deadlines advance by whole intervals from the first, so a slow sample does not make the
    // samples drift apart; one that falls far behind (a stalled thread) starts again from now.
    auto next = std::chrono::steady_clock::now();
    while (!stopped_) {
        history_.record(take_history_sample(sources_.take()));
        next += interval_;
        if (next < std::chrono::steady_clock::now()) next = std::chrono::steady_clock::now();
        timer_.expires_at(next);
        co_await timer_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    }
}

}  // namespace pgroute::proxy
