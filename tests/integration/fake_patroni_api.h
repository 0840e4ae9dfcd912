// A Patroni REST API that never works, for the routing tests (patroni_routing_test.cpp): GET
// /patroni gets a 500, or a 200 whose body is not JSON, or no answer at all; and listeners on
// 127.0.0.1 that count the connections nobody accepts.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "tests/support/unique_fd.h"

namespace pgroute::test_support {

// A listening socket on 127.0.0.1 with a port the kernel picked, so no other test can take it.
inline unique_fd loopback_listener() {
    unique_fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), "socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        listen(fd.get(), 64) != 0) {
        throw std::system_error(errno, std::generic_category(), "bind/listen on 127.0.0.1");
    }
    return fd;
}

inline std::uint16_t port_of(const unique_fd& listener) {
    sockaddr_in address{};
    socklen_t length = sizeof address;
    getsockname(listener.get(), reinterpret_cast<sockaddr*>(&address), &length);
    return ntohs(address.sin_port);
}

// Connections that reached a listener nobody accepts on.
inline int pending_connections(const unique_fd& listener) {
    int count = 0;
    for (;;) {
        const int fd = accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) return count;
        close(fd);
        ++count;
    }
}

enum class fake_answer { status_500, garbage, silence };

// Starts like Patroni's answer and stops being JSON.
inline constexpr std::string_view garbage_body = R"({"role": "master", ]])";

// A Patroni REST API that never works: GET /patroni gets a 500, or a 200 whose body is not JSON,
// or no answer at all.
class fake_patroni_api {
  public:
    fake_patroni_api() : listener_(loopback_listener()), port_(port_of(listener_)) {
        thread_ = std::jthread([this](const std::stop_token& stop) { serve(stop); });
    }

    void answer_with(fake_answer answer) { answer_ = answer; }
    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] int requests() const { return requests_; }

  private:
    struct client_state {
        explicit client_state(unique_fd accepted) : fd(std::move(accepted)) {}
        unique_fd fd;
        std::string request{};
        bool answered = false;
    };

    void serve(const std::stop_token& stop) {
        std::vector<std::unique_ptr<client_state>> clients;
        while (!stop.stop_requested()) {
            std::vector<pollfd> watched{{listener_.get(), POLLIN, 0}};
            for (const auto& client : clients)
                watched.push_back({client->fd.get(), POLLIN, 0});
            if (poll(watched.data(), watched.size(), 50) <= 0) continue;
            for (std::size_t i = clients.size(); i-- > 0;) {
                if (watched[i + 1].revents != 0 && !read_request(*clients[i])) {
                    clients.erase(clients.begin() + static_cast<std::ptrdiff_t>(i));
                }
            }
            if (watched[0].revents & POLLIN) accept_client(clients);
        }
    }

    void accept_client(std::vector<std::unique_ptr<client_state>>& clients) {
        const int fd = accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) clients.push_back(std::make_unique<client_state>(unique_fd(fd, "accept")));
    }

    // False once the connection is done with.
    bool read_request(client_state& client) {
        char buffer[4096];
        const ssize_t n = read(client.fd.get(), buffer, sizeof buffer);
        if (n <= 0) return false;
        if (client.answered) return true;  // silence: swallow whatever else comes
        client.request.append(buffer, static_cast<std::size_t>(n));
        if (client.request.find("\r\n\r\n") == std::string::npos) return true;
        ++requests_;
        client.answered = true;
        switch (answer_.load()) {
            case fake_answer::status_500:
                send_text(client,
                          "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n"
                          "Connection: close\r\n\r\n");
                return false;
            case fake_answer::garbage:
                send_text(client,
                          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                          "Content-Length: " +
                              std::to_string(garbage_body.size()) +
                              "\r\nConnection: close\r\n\r\n" + std::string(garbage_body));
                return false;
            case fake_answer::silence:
                return true;
        }
        return false;
    }

    static void send_text(const client_state& client, std::string_view text) {
        [[maybe_unused]] const ssize_t sent = write(client.fd.get(), text.data(), text.size());
    }

    unique_fd listener_;
    std::uint16_t port_;
    std::atomic<fake_answer> answer_{fake_answer::status_500};
    std::atomic<int> requests_{0};
    std::jthread thread_;  // last: it stops and joins before the members it uses go
};
}  // namespace pgroute::test_support
