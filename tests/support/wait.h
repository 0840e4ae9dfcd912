// Bounded polling for things that become true in another process: a port that opens, a row
// that reaches a replica. Every wait in the tests has a deadline and says what it waited for.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

namespace pgroute::test_support {

// Returns once `predicate()` is true; throws, naming `what`, when `timeout` passes first.
template <class Predicate>
void wait_until(Predicate&& predicate, std::chrono::milliseconds timeout, std::string_view what,
                std::chrono::milliseconds interval = std::chrono::milliseconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!predicate()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            throw std::runtime_error("timed out after " + std::to_string(timeout.count()) +
                                     " ms waiting until " + std::string(what));
        }
        std::this_thread::sleep_for(interval);
    }
}

}  // namespace pgroute::test_support
