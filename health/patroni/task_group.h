// Runs a batch of coroutines concurrently on one executor and waits for all of them, with a way
// to cancel those still running. The monitor's polls of all members are such a batch.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <deque>
#include <exception>
#include <vector>

namespace pgroute::health {

class task_group {
  public:
    explicit task_group(asio::any_io_executor executor) : executor_(std::move(executor)) {}

    // Results in the order of `tasks`; rethrows the first exception once all have ended. One batch
    // at a time. The awaiting coroutine must not be cancelled from outside (use cancel()), since
    // the tasks report into its frame.
    template <typename T>
    asio::awaitable<std::vector<T>> run_all(std::vector<asio::awaitable<T>> tasks) {
        std::vector<T> results(tasks.size());
        std::exception_ptr first_error;
        std::size_t running = tasks.size();
        asio::steady_timer all_done(executor_, asio::steady_timer::time_point::max());
        signals_.clear();
        for (std::size_t i = 0; i < tasks.size(); ++i) {
            asio::cancellation_signal& signal = signals_.emplace_back();
            asio::co_spawn(executor_, std::move(tasks[i]),
                           asio::bind_cancellation_slot(
                               signal.slot(), [&, i](const std::exception_ptr& error, T result) {
                                   if (error && !first_error) first_error = error;
                                   results[i] = std::move(result);
                                   if (--running == 0) all_done.cancel();
                               }));
        }
        // The completion handlers above count `running` down.
        while (running > 0) {  // NOLINT(bugprone-infinite-loop)
            co_await all_done.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        }
        signals_.clear();
        if (first_error) std::rethrow_exception(first_error);
        co_return results;
    }

    // Asks every task of the running batch to stop at its next wait.
    void cancel() {
        for (asio::cancellation_signal& signal : signals_) {
            signal.emit(asio::cancellation_type::terminal);
        }
    }

  private:
    asio::any_io_executor executor_;
    std::deque<asio::cancellation_signal> signals_;  // deque: signals cannot move
};

}  // namespace pgroute::health
