#include "proxy/cancel/predecessor_cancels.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace pgroute::proxy {

predecessor_cancels::predecessor_cancels(std::optional<int> fd, pid_t pid)
    : fd_(fd.value_or(-1)), pid_(pid) {}

predecessor_cancels::~predecessor_cancels() {
    if (fd_ >= 0) ::close(fd_);
}

bool predecessor_cancels::pass(const protocol::cancel_key& key) {
    const std::lock_guard hold(lock_);
    if (fd_ < 0) return false;
    // A peer's request: the old process delivers it to its own sessions and sends it nowhere
    // else.
    const std::string packet = protocol::build_cancel_request(key, true);
    // A seqpacket socket: the packet goes whole or not at all.
    if (::send(fd_, packet.data(), packet.size(), MSG_DONTWAIT | MSG_NOSIGNAL) ==
        static_cast<ssize_t>(packet.size())) {
        return true;
    }
    if (errno != EAGAIN && errno != EINTR) {
        ::close(fd_);  // EPIPE, ECONNRESET: the old process has exited
        fd_ = -1;
    }
    return false;
}

}  // namespace pgroute::proxy
