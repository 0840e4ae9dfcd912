// The process's signals taken off the event loops: blocked in the thread that makes the watch,
// and so in every thread it starts afterwards (a new thread inherits the mask), and waited for by
// one thread with sigwaitinfo. A signal sent while pgroute is still starting stays pending until
// it can be handled, instead of killing the process by its default action (a test or an operator
// sees the port accept before the handlers exist), and no event backend is involved in it.
#pragma once

#include <csignal>
#include <initializer_list>

namespace pgroute::proxy {

class signal_watch {
  public:
    // Blocks `signals` in the calling thread; made before the process starts any thread.
    explicit signal_watch(std::initializer_list<int> signals);
    // The signals stay blocked when the watch ends: one sent while pgroute stops is left
    // pending, not let kill a process that is about to exit with its own status.

    // Blocks until one of the signals is sent to the process or to the calling thread; returns
    // its number.
    [[nodiscard]] int next() const;

  private:
    sigset_t watched_{};
};

}  // namespace pgroute::proxy
