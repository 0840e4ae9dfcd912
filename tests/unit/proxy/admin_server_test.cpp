#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <stdexcept>
#include <thread>

#include "admin_sources_fixture.h"
#include "proxy/admin/http_codec.h"
#include "proxy/admin/server.h"

namespace pgroute::proxy {
namespace {

using namespace std::chrono_literals;
using health::node_role;
using testing::admin_fixture;
using testing::make_topology;

// A blocking TCP client with a deadline on every wait.
class test_client {
  public:
    explicit test_client(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(port);
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
            throw std::runtime_error("cannot connect to the admin listener");
        }
    }
    ~test_client() { ::close(fd_); }
    test_client(const test_client&) = delete;
    test_client& operator=(const test_client&) = delete;

    void send(std::string_view bytes) const {
        if (::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) !=
            static_cast<ssize_t>(bytes.size())) {
            throw std::runtime_error("send failed");
        }
    }

    // Everything until the server closes; throws if that takes longer than `timeout`.
    [[nodiscard]] std::string read_to_end(std::chrono::milliseconds timeout = 5s) const {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::string bytes;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            pollfd readable{fd_, POLLIN, 0};
            if (left.count() <= 0 || ::poll(&readable, 1, static_cast<int>(left.count())) <= 0) {
                throw std::runtime_error("no end of response in time; got: " + bytes);
            }
            char chunk[4096];
            const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
            if (n <= 0) return bytes;
            bytes.append(chunk, static_cast<std::size_t>(n));
        }
    }

  private:
    int fd_;
};

std::string exchange(std::uint16_t port, std::string_view request) {
    const test_client client(port);
    client.send(request);
    return client.read_to_end();
}

struct running_admin {
    explicit running_admin(admin_server_limits limits = {})
        : server({"127.0.0.1", 0}, fixture.sources, {}, log, limits) {
        server.start();
    }
    admin_fixture fixture{
        make_topology({{"pg1", node_role::leader}, {"pg2", node_role::replica, true}})};
    logger log{log_level::error};
    admin_server server;
};

TEST(admin_server, AnswersAGetAndCloses) {
    running_admin admin;
    const auto response = exchange(admin.server.port(), "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_TRUE(response.starts_with("HTTP/1.1 200 OK\r\n")) << response;
    EXPECT_TRUE(response.ends_with("\r\n\r\nok\n")) << response;
}

TEST(admin_server, HeadGetsTheHeadersOnly) {
    running_admin admin;
    const auto response = exchange(admin.server.port(), "HEAD /metrics HTTP/1.1\r\n\r\n");
    EXPECT_TRUE(response.starts_with("HTTP/1.1 200 OK\r\n")) << response;
    EXPECT_TRUE(response.ends_with("\r\n\r\n")) << response;
}

TEST(admin_server, AnswersARequestSentOneByteAtATime) {
    running_admin admin;
    const test_client client(admin.server.port());
    for (const char c : std::string_view("GET /ready HTTP/1.1\r\n\r\n"))
        client.send(std::string_view(&c, 1));
    EXPECT_TRUE(client.read_to_end().starts_with("HTTP/1.1 200 OK\r\n"));
}

TEST(admin_server, MalformedRequestGets400AndTheServerGoesOn) {
    running_admin admin;
    const auto response = exchange(admin.server.port(), std::string("\x16\x03\x01\x00\r\n\r\n", 8));
    EXPECT_TRUE(response.starts_with("HTTP/1.1 400 Bad Request\r\n")) << response;
    EXPECT_TRUE(exchange(admin.server.port(), "GET /health HTTP/1.1\r\n\r\n")
                    .starts_with("HTTP/1.1 200 OK\r\n"));
}

TEST(admin_server, OversizedHeadGets431) {
    running_admin admin;
    const test_client client(admin.server.port());
    std::string head = "GET / HTTP/1.1\r\n";
    while (head.size() <= max_request_head_bytes)
        head += "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    client.send(head);
    EXPECT_TRUE(client.read_to_end().starts_with("HTTP/1.1 431 "));
}

TEST(admin_server, SilentClientGets408WhenItsTimeIsUp) {
    running_admin admin({64, 200ms});
    const test_client client(admin.server.port());
    const auto start = std::chrono::steady_clock::now();
    const auto response = client.read_to_end(3s);
    EXPECT_TRUE(response.starts_with("HTTP/1.1 408 ")) << response;
    EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
}

TEST(admin_server, AHalfSentRequestDoesNotHoldUpOthers) {
    running_admin admin;
    const test_client slow(admin.server.port());
    slow.send("GET /met");
    const auto response = exchange(admin.server.port(), "GET /metrics HTTP/1.1\r\n\r\n");
    EXPECT_TRUE(response.starts_with("HTTP/1.1 200 OK\r\n"));
    EXPECT_NE(response.find("pgroute_build_info"), std::string::npos);
}

TEST(admin_server, ConnectionsBeyondTheCapAreClosedUnanswered) {
    running_admin admin({2, 5s});
    {
        const test_client first(admin.server.port());
        const test_client second(admin.server.port());
        first.send("GET");
        second.send("GET");
        std::this_thread::sleep_for(200ms);  // time for the listener to take both
        const test_client third(admin.server.port());
        third.send("GET /health HTTP/1.1\r\n\r\n");
        EXPECT_EQ(third.read_to_end(), "");
    }
    // Once those are gone, the listener serves again.
    std::string response;
    for (int attempt = 0; attempt < 50 && !response.starts_with("HTTP/1.1 200"); ++attempt) {
        std::this_thread::sleep_for(20ms);
        response = exchange(admin.server.port(), "GET /health HTTP/1.1\r\n\r\n");
    }
    EXPECT_TRUE(response.starts_with("HTTP/1.1 200 OK\r\n")) << response;
}

TEST(admin_server, RandomBytesOnManyConnectionsNeverStopTheListener) {
    running_admin admin({64, 300ms});
    std::mt19937 rng(99);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<std::size_t> length(1, 600);
    for (int i = 0; i < 300; ++i) {
        const test_client client(admin.server.port());
        std::string garbage(length(rng), '\0');
        for (auto& c : garbage)
            c = static_cast<char>(byte(rng));
        // A third end their head and read the refusal; the others leave mid-request.
        if (i % 3 == 0) garbage += "\r\n\r\n";
        client.send(garbage);
        if (i % 3 == 0) (void)client.read_to_end();
    }
    EXPECT_TRUE(exchange(admin.server.port(), "GET /health HTTP/1.1\r\n\r\n")
                    .starts_with("HTTP/1.1 200 OK\r\n"));
}

TEST(admin_server, StopReturnsWhileClientsStillHoldConnections) {
    running_admin admin;
    const test_client idle(admin.server.port());
    idle.send("GET /");
    const auto start = std::chrono::steady_clock::now();
    admin.server.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
    EXPECT_EQ(idle.read_to_end(), "");
}

TEST(admin_server, RefusesToShareItsAddressWithAnotherListener) {
    running_admin admin;
    const logger log(log_level::error);
    try {
        admin_server second({"127.0.0.1", admin.server.port()}, admin.fixture.sources, {}, log);
        FAIL() << "a second listener bound the same address";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("(admin)"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace pgroute::proxy
