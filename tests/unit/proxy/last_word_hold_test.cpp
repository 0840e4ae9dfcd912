// last_word_hold over a socketpair, no PostgreSQL: the held ErrorResponse goes out only after the
// client's next message, a Terminate gets nothing, silence ends at the limit, an interrupt
// (shutdown) sends it at once; and the registry keeps holding sessions out of topology cuts.
#include "proxy/session/last_word_hold.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include "protocol/message_builder.h"
#include "protocol/message_type.h"

namespace pgroute::proxy {
namespace {

using asio::ip::tcp;
using namespace std::chrono_literals;

const std::string last_word = protocol::message_builder(protocol::PqMsg_ErrorResponse)
                                  .bytes(std::string_view("SFATAL\0C57P01\0\0", 15))
                                  .finish();

// The session's client socket and the client's end of it.
class hold_rig {
  public:
    hold_rig() {
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) throw std::runtime_error("socketpair");
        session_side_.assign(tcp::v4(), fds[0]);
        client_fd_ = fds[1];
    }
    hold_rig(const hold_rig&) = delete;
    hold_rig& operator=(const hold_rig&) = delete;
    ~hold_rig() { ::close(client_fd_); }

    // Starts the hold; `result()` is set once it ends.
    void start(std::chrono::milliseconds limit) {
        asio::co_spawn(
            io_,
            [this, limit]() -> asio::awaitable<void> {
                end_ = co_await hold_.deliver(session_side_, last_word, limit);
            },
            asio::detached);
    }
    void client_sends(std::string_view bytes) const {
        ASSERT_EQ(::send(client_fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
                  static_cast<ssize_t>(bytes.size()));
    }
    // What the client has received so far; the session side stops sending after a last word.
    [[nodiscard]] std::string client_received() const {
        std::string out;
        char chunk[256];
        for (ssize_t n; (n = ::recv(client_fd_, chunk, sizeof chunk, MSG_DONTWAIT)) > 0;)
            out.append(chunk, static_cast<std::size_t>(n));
        return out;
    }
    void run_for(std::chrono::milliseconds time) {
        io_.restart();
        io_.run_for(time);
    }
    void run() {
        io_.restart();
        io_.run_for(5s);  // every case ends well before
    }
    [[nodiscard]] const std::optional<hold_end>& result() const { return end_; }
    last_word_hold& hold() { return hold_; }

  private:
    asio::io_context io_{1};
    tcp::socket session_side_{io_};
    int client_fd_ = -1;
    last_word_hold hold_{io_.get_executor()};
    std::optional<hold_end> end_;
};

TEST(last_word_hold, SendsNothingUntilTheClientsNextMessageAndThenTheLastWord) {
    hold_rig rig;
    rig.start(10s);
    rig.run_for(100ms);
    EXPECT_FALSE(rig.result().has_value());
    EXPECT_EQ(rig.client_received(), "");

    rig.client_sends(protocol::message_builder(protocol::PqMsg_Query).cstring("SELECT 1").finish());
    rig.run();
    EXPECT_EQ(rig.result(), hold_end::answered);
    EXPECT_EQ(rig.client_received(), last_word);
}

TEST(last_word_hold, ATerminateGetsNothing) {
    hold_rig rig;
    rig.start(10s);
    rig.client_sends(protocol::message_builder(protocol::PqMsg_Terminate).finish());
    rig.run();
    EXPECT_EQ(rig.result(), hold_end::terminated);
    EXPECT_EQ(rig.client_received(), "");
}

TEST(last_word_hold, ASilentClientIsLeftAtTheLimitWithoutAWord) {
    hold_rig rig;
    const auto began = std::chrono::steady_clock::now();
    rig.start(200ms);
    rig.run();
    EXPECT_EQ(rig.result(), hold_end::timed_out);
    EXPECT_GE(std::chrono::steady_clock::now() - began, 200ms);
    EXPECT_EQ(rig.client_received(), "");
}

TEST(last_word_hold, AnInterruptSendsTheLastWordAtOnce) {
    hold_rig rig;
    rig.start(10s);
    rig.run_for(50ms);
    rig.hold().interrupt();
    rig.run();
    EXPECT_EQ(rig.result(), hold_end::interrupted);
    EXPECT_EQ(rig.client_received(), last_word);
}

TEST(session_registry, AHoldingSessionIsNoLongerLiveButIsVisitedAsHolding) {
    session_registry registry;
    const session_registry::registration relaying(registry, {});
    const session_registry::registration holding(registry, {});
    hold_rig rig;
    holding.control().hold = &rig.hold();

    int live = 0;
    registry.for_each_live([&](session_control&) { ++live; });
    int held = 0;
    registry.for_each_holding([&](session_control& s) {
        ++held;
        EXPECT_EQ(s.hold, &rig.hold());
    });
    EXPECT_EQ(live, 1);
    EXPECT_EQ(held, 1);
}

}  // namespace
}  // namespace pgroute::proxy
