// The new process's side of an upgrade's cancel channel. Sessions opened before an upgrade
// finish on the old process, but their clients' CancelRequests reach this one, which never
// issued those keys: it passes each key it does not hold to the old process over a socket pair
// the old one made for the upgrade (see successor_cancels.h), for as long as the old one lives.
#pragma once

#include <sys/types.h>

#include <mutex>
#include <optional>

#include "protocol/cancel_key.h"

namespace pgroute::proxy {

class predecessor_cancels {
  public:
    // `fd`: this process's end of the channel, none when it was not started by an upgrade (or
    // by a pgroute without the channel). `pid`: the old process, for the log.
    predecessor_cancels(std::optional<int> fd, pid_t pid);
    ~predecessor_cancels();
    predecessor_cancels(const predecessor_cancels&) = delete;
    predecessor_cancels& operator=(const predecessor_cancels&) = delete;

    // Thread-safe; never blocks. True when the old process got the key; false when there is no
    // old process (any more: the channel then closes here) or its queue is full.
    [[nodiscard]] bool pass(const protocol::cancel_key& key);
    [[nodiscard]] pid_t pid() const { return pid_; }

  private:
    std::mutex lock_;
    int fd_;  // -1 once the old process is gone
    pid_t pid_;
};

}  // namespace pgroute::proxy
