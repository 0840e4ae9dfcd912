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
    // Marked a peer's, so that the old process sends it to no peer: it delivers it to its own
    // session, or passes it on to its own predecessor.
    const std::string packet = protocol::build_cancel_request(key, true);
    // A seqpacket socket: the packet goes whole or not at all.
    if (::send(fd_, packet.data(), packet.size(), MSG_DONTWAIT | MSG_NOSIGNAL) ==
        static_cast<ssize_t>(packet.size())) {
        return true;
    }
    // Only the old process's exit ends the channel; a full queue or a short memory passes.
    if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN || errno == ECONNREFUSED) {
        ::close(fd_);
        fd_ = -1;
    }
    return false;
}

}  // namespace pgroute::proxy
