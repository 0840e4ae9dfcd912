#include "proxy/app/systemd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <ctime>

namespace pgroute::proxy {

std::string notify_systemd(const char* notify_socket, std::string_view state) {
    if (notify_socket == nullptr || *notify_socket == '\0') return {};
    const std::string_view name(notify_socket);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (name.size() >= sizeof address.sun_path || (name[0] != '/' && name[0] != '@')) {
        return "NOTIFY_SOCKET is not a socket path: " + std::string(name);
    }
    std::memcpy(address.sun_path, name.data(), name.size());
    if (name[0] == '@') address.sun_path[0] = '\0';  // an abstract socket
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::string("socket: ") + std::strerror(errno);
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    const ssize_t sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                                  reinterpret_cast<const sockaddr*>(&address), length);
    const int error = errno;
    ::close(fd);
    if (sent < 0) return "sendto " + std::string(name) + ": " + std::strerror(error);
    return {};
}

std::string reloading_state() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    const auto usec = static_cast<unsigned long long>(now.tv_sec) * 1'000'000ULL +
                      static_cast<unsigned long long>(now.tv_nsec) / 1000ULL;
    return "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec);
}

}  // namespace pgroute::proxy
