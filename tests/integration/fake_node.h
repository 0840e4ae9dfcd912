// A node that is not PostgreSQL, for what no PostgreSQL on this machine sends (a protocol 3.2
// BackendKeyData with a long key, a hostile one): it answers every StartupMessage with bytes the
// test scripts, keeps the connection open until the peer closes, and records the first packet
// of each connection (StartupMessage or CancelRequest).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "protocol/byte_reader.h"
#include "protocol/message_type.h"
#include "tests/support/unique_fd.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {

class fake_node {
  public:
    explicit fake_node(std::string answer)
        : answer_(std::move(answer)),
          listener_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket") {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t size = sizeof address;
        if (::bind(listener_.get(), reinterpret_cast<const sockaddr*>(&address), size) != 0 ||
            ::listen(listener_.get(), 16) != 0 ||
            ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&address), &size) != 0) {
            throw std::system_error(errno, std::generic_category(), "fake node listener");
        }
        port_ = ntohs(address.sin_port);
        acceptor_ = std::thread([this] { accept_all(); });
    }
    ~fake_node() {
        stopping_ = true;
        acceptor_.join();
        for (auto& connection : connections_)
            connection.join();
    }
    fake_node(const fake_node&) = delete;
    fake_node& operator=(const fake_node&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }

    // The first packet of the `index`th connection (from its code on, without the length),
    // once it has arrived; throws after `timeout`.
    [[nodiscard]] std::string packet(std::size_t index,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        wait_until(
            [&] {
                const std::lock_guard guard(lock_);
                return packets_.size() > index;
            },
            timeout, "the fake node receives packet " + std::to_string(index));
        const std::lock_guard guard(lock_);
        return packets_[index];
    }

  private:
    // Polls so that the destructor's flag is seen within 50 ms: nothing blocks for good.
    bool readable(int fd) const {
        while (!stopping_) {
            pollfd events{fd, POLLIN, 0};
            if (::poll(&events, 1, 50) > 0) return true;
        }
        return false;
    }

    void accept_all() {
        while (readable(listener_.get())) {
            const int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) continue;
            connections_.emplace_back([this, fd] { serve(unique_fd(fd, "accept")); });
        }
    }

    std::optional<std::string> read_exactly(int fd, std::size_t count) const {
        std::string out(count, '\0');
        for (std::size_t filled = 0; filled < count;) {
            if (!readable(fd)) return std::nullopt;
            const ssize_t n = ::recv(fd, out.data() + filled, count - filled, 0);
            if (n <= 0) return std::nullopt;
            filled += static_cast<std::size_t>(n);
        }
        return out;
    }

    void serve(unique_fd connection) {
        const auto length = read_exactly(connection.get(), 4);
        if (!length) return;
        const std::uint32_t size = protocol::load_u32(length->data());
        if (size < 8 || size > protocol::max_startup_packet_length) return;
        const auto packet = read_exactly(connection.get(), size - 4);
        if (!packet) return;
        {
            const std::lock_guard guard(lock_);
            packets_.push_back(*packet);
        }
        if (protocol::load_u32(packet->data()) == protocol::cancel_request_code) return;
        if (::send(connection.get(), answer_.data(), answer_.size(), MSG_NOSIGNAL) < 0) return;
        // Holds the session open until its peer closes (or the test ends).
        while (readable(connection.get())) {
            char sink[4096];
            if (::recv(connection.get(), sink, sizeof sink, 0) <= 0) return;
        }
    }

    std::string answer_;
    unique_fd listener_;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread acceptor_;
    std::vector<std::thread> connections_;  // only the acceptor adds, before the join
    std::mutex lock_;
    std::vector<std::string> packets_;
};

}  // namespace pgroute::test_support
