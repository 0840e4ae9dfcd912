#include "tests/support/ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <random>
#include <stdexcept>
#include <string>

#include "tests/support/unique_fd.h"

namespace pgroute::test_support {
namespace {

// Linux hands out ephemeral ports from 32768 up; servers started by tests stay below that.
constexpr std::uint16_t lowest_port = 20000;
constexpr std::uint16_t highest_port = 32767;
constexpr int max_attempts = 1000;

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

unique_fd tcp_socket() {
    return unique_fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket");
}

}  // namespace

std::vector<std::uint16_t> free_ports(std::size_t count) {
    std::mt19937 random(std::random_device{}());
    std::uniform_int_distribution<int> pick(lowest_port, highest_port);
    // Each probe socket stays bound until all ports are found, so no port is picked twice.
    std::vector<unique_fd> held;
    std::vector<std::uint16_t> ports;
    for (int attempt = 0; attempt < max_attempts && ports.size() < count; ++attempt) {
        const auto port = static_cast<std::uint16_t>(pick(random));
        unique_fd probe = tcp_socket();
        const sockaddr_in address = loopback(port);
        if (bind(probe.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
            ports.push_back(port);
            held.push_back(std::move(probe));
        }
    }
    if (ports.size() < count) {
        throw std::runtime_error("found only " + std::to_string(ports.size()) + " of " +
                                 std::to_string(count) + " free loopback ports");
    }
    return ports;
}

std::uint16_t free_port() {
    return free_ports(1).front();
}

bool accepts_tcp(std::uint16_t port) {
    const unique_fd socket = tcp_socket();
    const sockaddr_in address = loopback(port);
    return connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

}  // namespace pgroute::test_support
