#include "proxy/app/upgrade_spawn.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

extern char** environ;

namespace pgroute::proxy {

namespace {

std::vector<char*> pointers_to(std::vector<std::string>& texts) {
    std::vector<char*> out;
    out.reserve(texts.size() + 1);
    for (auto& text : texts)
        out.push_back(text.data());
    out.push_back(nullptr);
    return out;
}

}  // namespace

spawned_upgrade spawn_upgrade(const process_image& image, handover sockets) {
    int ready[2];
    if (::pipe2(ready, O_CLOEXEC) != 0) {
        throw std::system_error(errno, std::generic_category(), "pipe2");
    }
    // Seqpacket: each CancelRequest arrives whole and alone.
    int cancels[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, cancels) != 0) {
        const int error = errno;
        ::close(ready[0]);
        ::close(ready[1]);
        throw std::system_error(error, std::generic_category(), "socketpair");
    }
    const auto close_all = [&] {
        for (const int fd : {ready[0], ready[1], cancels[0], cancels[1]})
            ::close(fd);
    };
    sockets.ready_fd = ready[1];
    // Everything the child needs is made before the fork: the parent has other threads, so
    // the child may only make async-signal-safe calls until it execs.
    const std::string prefix = std::string(handover_variable) + "=";
    const std::string cancels_prefix = std::string(cancels_variable) + "=";
    std::vector<std::string> environment;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        if (std::strncmp(*entry, prefix.c_str(), prefix.size()) != 0 &&
            std::strncmp(*entry, cancels_prefix.c_str(), cancels_prefix.size()) != 0)
            environment.emplace_back(*entry);
    }
    environment.push_back(prefix + encode_handover(sockets));
    environment.push_back(cancels_prefix + std::to_string(cancels[1]));
    std::vector<std::string> arguments = image.arguments;
    std::vector<char*> argv = pointers_to(arguments);
    std::vector<char*> envp = pointers_to(environment);
    std::vector<int> kept = sockets.listeners;
    if (sockets.admin) kept.push_back(*sockets.admin);
    kept.push_back(ready[1]);
    kept.push_back(cancels[1]);
    const long open_max = ::sysconf(_SC_OPEN_MAX);
    const int last_fd = open_max > 0 ? static_cast<int>(open_max) : 65536;

    const pid_t pid = ::fork();
    if (pid < 0) {
        const int error = errno;
        close_all();
        throw std::system_error(error, std::generic_category(), "fork");
    }
    if (pid == 0) {
        // The sessions' sockets and everything else stay with the old process (Asio does not
        // open them close-on-exec). Kernels before 5.11 lack CLOSE_RANGE_CLOEXEC: one by one.
        if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
            for (int fd = 3; fd < last_fd; ++fd)
                ::fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
        for (const int fd : kept)
            ::fcntl(fd, F_SETFD, 0);
        // The signal mask goes across exec as it is, pgroute's signals blocked: one sent to the
        // new process before it can handle it waits instead of killing it.
        ::execve(image.executable.c_str(), argv.data(), envp.data());
        ::_exit(127);
    }
    ::close(ready[1]);
    ::close(cancels[1]);
    return {pid, ready[0], cancels[0]};
}

}  // namespace pgroute::proxy
