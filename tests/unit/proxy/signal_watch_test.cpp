#include "proxy/app/signal_watch.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <thread>

namespace pgroute::proxy {
namespace {

// Each case runs on a thread of its own, with signals sent to that thread: the test process's
// main thread keeps its mask, and a signal the watch failed to block ends the test binary.
template <typename Body>
void on_a_thread(Body body) {
    std::thread t(body);
    t.join();
}

bool blocked(int signal) {
    sigset_t mask;
    ::pthread_sigmask(SIG_BLOCK, nullptr, &mask);
    return sigismember(&mask, signal) == 1;
}

TEST(signal_watch, ASignalSentBeforeTheWaitIsPendingAndThenReturned) {
    on_a_thread([] {
        const signal_watch watch({SIGHUP, SIGUSR2});
        ASSERT_EQ(::pthread_kill(::pthread_self(), SIGUSR2), 0);
        EXPECT_EQ(watch.next(), SIGUSR2);
        ASSERT_EQ(::pthread_kill(::pthread_self(), SIGHUP), 0);
        EXPECT_EQ(watch.next(), SIGHUP);
    });
}

TEST(signal_watch, ThreadsStartedAfterTheWatchHaveTheSignalsBlockedAndNoOthers) {
    on_a_thread([] {
        const signal_watch watch({SIGTERM});
        bool term = false;
        bool usr1 = true;
        on_a_thread([&] {
            term = blocked(SIGTERM);
            usr1 = blocked(SIGUSR1);
        });
        EXPECT_TRUE(term);
        EXPECT_FALSE(usr1);
    });
}

}  // namespace
}  // namespace pgroute::proxy
