#include "proxy/app/signal_watch.h"

#include <pthread.h>

#include <cerrno>
#include <system_error>

namespace pgroute::proxy {

signal_watch::signal_watch(std::initializer_list<int> signals) {
    sigemptyset(&watched_);
    for (const int signal : signals)
        sigaddset(&watched_, signal);
    if (const int error = ::pthread_sigmask(SIG_BLOCK, &watched_, nullptr); error != 0) {
        throw std::system_error(error, std::generic_category(), "pthread_sigmask");
    }
}

int signal_watch::next() const {
    for (;;) {
        const int signal = ::sigwaitinfo(&watched_, nullptr);
        if (signal > 0) return signal;
        // EINTR: a signal outside the set, handled (ASan's, a debugger's); wait on.
    }
}

}  // namespace pgroute::proxy
