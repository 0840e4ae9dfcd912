// The relay driven over socketpairs, no PostgreSQL: frames split at every byte, a frame bigger
// than the buffer, a rewrite in place, hold and release, an injection, a held frame replaced by
// one of another length, the server side re-bound between two frames, a handler's stop (and
// whether the client's input survived it), and a cut while a write is blocked.
#include "proxy/relay/relay.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <asio/io_context.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "protocol/message_builder.h"

namespace pgroute::proxy {
namespace {

using asio::ip::tcp;
using namespace std::chrono_literals;
using protocol::frame_verdict;

std::string frame(char type, std::string_view body) {
    return protocol::message_builder(type).bytes(body).finish();
}

// The test's end of a socketpair: non-blocking, read into `received` as the relay delivers.
class peer {
  public:
    explicit peer(int fd) : fd_(fd) { ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK); }
    peer(const peer&) = delete;
    peer& operator=(const peer&) = delete;
    ~peer() { close(); }

    void close() {
        if (fd_ >= 0) ::close(std::exchange(fd_, -1));
    }

    void send(std::string_view bytes) const {
        if (::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) !=
            static_cast<ssize_t>(bytes.size())) {
            throw std::runtime_error("short send to the relay");
        }
    }
    // As much of `bytes` as the socket takes now.
    std::size_t send_some(std::string_view bytes) const {
        const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        return n > 0 ? static_cast<std::size_t>(n) : 0;
    }
    const std::string& received() {
        char chunk[4096];
        for (ssize_t n; (n = ::recv(fd_, chunk, sizeof chunk, 0)) > 0;)
            received_.append(chunk, static_cast<std::size_t>(n));
        return received_;
    }

  private:
    int fd_;
    std::string received_;
};

// A frame_handler whose verdicts the test scripts, and which records what it was shown.
class scripted_handler final : public frame_handler {
  public:
    std::string wanted_whole;  // types it asks to see whole
    std::function<frame_verdict(char type, std::span<char> body)> decide;
    std::function<void()> when_held;
    std::vector<std::pair<char, std::string>> seen;  // type and the body shown
    bool stop = false;

    [[nodiscard]] bool wants_body(char type) const override {
        return wanted_whole.find(type) != std::string::npos;
    }
    [[nodiscard]] frame_verdict on_frame(const protocol::frame_header& header,
                                         std::span<char> body) override {
        seen.emplace_back(header.type, std::string(body.data(), body.size()));
        return decide ? decide(header.type, body) : frame_verdict::forward;
    }
    void on_held() override {
        if (when_held) when_held();
    }
    [[nodiscard]] bool stop_due() const override { return stop; }
};

// The relay between a test client and a test server, each on a socketpair.
class relay_rig final : relay_completion {
  public:
    explicit relay_rig(std::size_t buffer_size = 1024) : pool_(buffer_size, 4) {
        client = connect_pair(relay_client_);
        server = connect_pair(relay_server_);
    }
    relay_rig(const relay_rig&) = delete;
    relay_rig& operator=(const relay_rig&) = delete;
    // A relay the test left running is ended as a session's end would end it, so that nothing
    // of it outlives the rig (the relay owns itself until it completes).
    ~relay_rig() {
        control.interrupt();
        for (int i = 0; i < 100 && !result; ++i)
            io_.run_one_for(10ms);
    }

    void start() {
        start_relay(relay_client_, relay_server_, from_client, from_server, control, pool_,
                    relay_limits{1u << 30}, relay_meters{client_bytes_, server_bytes_}, *this);
        settle();
    }

    // Runs the relay until `done` holds; fails the test after two seconds.
    void run_until(const std::function<bool()>& done) {
        const auto deadline = std::chrono::steady_clock::now() + 2s;
        while (!done()) {
            if (std::chrono::steady_clock::now() > deadline) {
                throw std::runtime_error("the relay did not get there within 2 s");
            }
            io_.run_one_for(10ms);
        }
    }
    // Runs what is ready now, a few rounds: what the relay does without more input.
    void settle() {
        for (int i = 0; i < 5; ++i) {
            io_.poll();
            io_.restart();
        }
    }
    // A second server connection, for re-binding the relay to.
    tcp::socket& another_server(std::unique_ptr<peer>& its_peer) {
        spare_servers_.emplace_back(io_);
        its_peer = connect_pair(spare_servers_.back());
        return spare_servers_.back();
    }

    scripted_handler from_client;
    scripted_handler from_server;
    relay_control control;
    std::optional<relay_result> result;
    std::unique_ptr<peer> client;
    std::unique_ptr<peer> server;

  private:
    void relay_ended(relay_result ended) override { result = std::move(ended); }

    std::unique_ptr<peer> connect_pair(tcp::socket& relay_side) {
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) throw std::runtime_error("socketpair");
        // The relay only reads, writes and waits: any stream socket serves.
        relay_side.assign(tcp::v4(), fds[0]);
        relay_side.non_blocking(true);
        return std::make_unique<peer>(fds[1]);
    }

    asio::io_context io_{1};
    tcp::socket relay_client_{io_};
    tcp::socket relay_server_{io_};
    std::deque<tcp::socket> spare_servers_;
    buffer_pool pool_;
    counter client_bytes_;
    counter server_bytes_;
};

TEST(relay, FramesSplitAtEveryByteArriveIntactAndEachIsShownOnce) {
    const std::string stream = frame('Q', std::string("SELECT 1") + '\0') +
                               frame('P', std::string("\0SELECT $1\0\0\0", 13)) + frame('S', "");
    for (std::size_t split = 1; split < stream.size(); ++split) {
        relay_rig rig;
        rig.from_client.wanted_whole = "Q";
        rig.start();
        rig.client->send(std::string_view(stream).substr(0, split));
        rig.settle();
        rig.client->send(std::string_view(stream).substr(split));
        rig.run_until([&] { return rig.server->received().size() == stream.size(); });
        EXPECT_EQ(rig.server->received(), stream) << "split at " << split;
        // Each frame is shown once: the wanted Query whole, the others at their header.
        ASSERT_EQ(rig.from_client.seen.size(), 3u) << "split at " << split;
        EXPECT_EQ(rig.from_client.seen[0].first, 'Q');
        EXPECT_EQ(rig.from_client.seen[0].second, std::string("SELECT 1") + '\0');
        EXPECT_EQ(rig.from_client.seen[1].first, 'P');
        EXPECT_EQ(rig.from_client.seen[2].first, 'S');
    }
}

TEST(relay, AFrameBiggerThanTheBufferStreamsThroughInPieces) {
    relay_rig rig(64);
    rig.from_client.wanted_whole = "Q";
    rig.start();
    const std::string big = frame('Q', std::string(10'000, 'x') + '\0');
    std::size_t sent = 0;
    rig.run_until([&] {
        sent += rig.client->send_some(std::string_view(big).substr(sent));
        return rig.server->received().size() == big.size();
    });
    EXPECT_EQ(rig.server->received(), big);
    ASSERT_EQ(rig.from_client.seen.size(), 1u);  // shown once, at its header
    EXPECT_EQ(rig.from_client.seen[0].first, 'Q');
    EXPECT_LT(rig.from_client.seen[0].second.size(), 64u);
}

TEST(relay, AHandlerRewritesABodyInPlaceBeforeItIsForwarded) {
    relay_rig rig;
    rig.from_server.wanted_whole = "K";
    rig.from_server.decide = [](char type, std::span<char> body) {
        if (type == 'K') std::fill(body.begin(), body.end(), '\x7f');
        return frame_verdict::forward;
    };
    rig.start();
    rig.server->send(frame('K', "12345678") + frame('Z', "I"));
    const std::string expected = frame('K', std::string(8, '\x7f')) + frame('Z', "I");
    rig.run_until([&] { return rig.client->received().size() == expected.size(); });
    EXPECT_EQ(rig.client->received(), expected);
}

TEST(relay, AHeldFrameWaitsForReleaseWithEverythingBehindIt) {
    relay_rig rig;
    bool held = false;
    rig.from_client.decide = [](char type, std::span<char>) {
        return type == 'P' ? frame_verdict::hold : frame_verdict::forward;
    };
    rig.from_client.when_held = [&] { held = true; };
    rig.start();
    const std::string before = frame('Q', std::string("SELECT 1") + '\0');
    const std::string held_frame = frame('P', std::string(3, '\0'));
    const std::string behind = frame('S', "");
    rig.client->send(before + held_frame + behind);
    rig.run_until([&] { return held; });
    rig.settle();
    EXPECT_EQ(rig.server->received(), before);

    rig.from_client.decide = nullptr;  // what comes behind it is forwarded
    rig.control.release(relay_direction::to_server);
    rig.run_until(
        [&] { return rig.server->received().size() == (before + held_frame + behind).size(); });
    EXPECT_EQ(rig.server->received(), before + held_frame + behind);
    EXPECT_FALSE(rig.result.has_value());  // still relaying
}

TEST(relay, AnInjectionGoesOutBeforeTheFrameItIsReleasedWith) {
    relay_rig rig;
    rig.from_client.decide = [](char type, std::span<char>) {
        return type == 'B' ? frame_verdict::hold : frame_verdict::forward;
    };
    const std::string injected = frame('P', std::string("s1\0SELECT 1\0\0\0", 14));
    // Released from inside on_held, as a session that has its message ready would.
    rig.from_client.when_held = [&] {
        rig.from_client.decide = nullptr;
        rig.control.release(relay_direction::to_server, injected);
    };
    rig.start();
    const std::string bind = frame('B', std::string("\0s1\0\0\0\0\0\0\0", 10));
    rig.client->send(bind);
    rig.run_until([&] { return rig.server->received().size() == (injected + bind).size(); });
    EXPECT_EQ(rig.server->received(), injected + bind);
}

TEST(relay, AHeldFrameIsReplacedByAMessageOfAnotherLength) {
    relay_rig rig;
    rig.from_server.wanted_whole = "v";
    rig.from_server.decide = [](char type, std::span<char>) {
        return type == 'v' ? frame_verdict::hold : frame_verdict::forward;
    };
    const std::string replacement = frame('v', std::string("\0\3\0\0\0\0\0\1_pq_.x\0", 15));
    rig.from_server.when_held = [&] {
        rig.control.replace(relay_direction::to_client, replacement);
    };
    rig.start();
    const std::string held = frame('v', std::string("\0\3\0\0\0\0\0\0", 8));
    const std::string behind = frame('R', std::string(4, '\0')) + frame('Z', "I");
    rig.server->send(held + behind);
    rig.run_until([&] { return rig.client->received().size() == (replacement + behind).size(); });
    EXPECT_EQ(rig.client->received(), replacement + behind);
    ASSERT_EQ(rig.from_server.seen.size(), 3u);  // the frames behind are shown as ever
    EXPECT_EQ(rig.from_server.seen[1].first, 'R');
    EXPECT_FALSE(rig.result.has_value());
}

TEST(relay, TheServerSideIsReboundBetweenTwoFramesWhileTheClientStays) {
    relay_rig rig;
    std::unique_ptr<peer> second;
    tcp::socket& second_server = rig.another_server(second);
    bool moved = false;
    rig.from_client.decide = [&](char type, std::span<char>) {
        return type == 'P' && !moved ? frame_verdict::hold : frame_verdict::forward;
    };
    rig.from_client.when_held = [&] {
        moved = rig.control.rebind_server(second_server);
        rig.control.release(relay_direction::to_server);
    };
    rig.start();
    const std::string first_query = frame('Q', std::string("SELECT 1") + '\0');
    rig.client->send(first_query);
    rig.run_until([&] { return rig.server->received() == first_query; });
    rig.server->send(frame('Z', "I"));
    rig.run_until([&] { return rig.client->received() == frame('Z', "I"); });

    const std::string parse = frame('P', std::string(3, '\0'));
    rig.client->send(parse);
    rig.run_until([&] { return second->received() == parse; });
    EXPECT_TRUE(moved);
    second->send(frame('1', ""));
    rig.run_until([&] { return rig.client->received() == frame('Z', "I") + frame('1', ""); });
    // The first server is out of the session: what it still says reaches nobody.
    rig.server->send(frame('E', "late"));
    rig.settle();
    EXPECT_EQ(rig.client->received(), frame('Z', "I") + frame('1', ""));
    EXPECT_EQ(rig.server->received(), first_query);
}

TEST(relay, AStopAfterVerdictEndsTheRelayRightAfterThatFrame) {
    relay_rig rig;
    rig.from_server.wanted_whole = "Z";
    rig.from_server.decide = [](char type, std::span<char>) {
        return type == 'Z' ? frame_verdict::stop_after : frame_verdict::forward;
    };
    rig.start();
    rig.server->send(frame('C', std::string("SELECT 1") + '\0') + frame('Z', "I") +
                     frame('N', "after"));
    rig.run_until([&] { return rig.result.has_value(); });
    EXPECT_EQ(rig.result->end, relay_end::stopped);
    EXPECT_TRUE(rig.result->interrupted);
    EXPECT_TRUE(rig.result->client_at_frame_boundary);
    EXPECT_EQ(rig.client->received(), frame('C', std::string("SELECT 1") + '\0') + frame('Z', "I"));
}

// A session may run the relay again on another server only if nothing the client sent is lost:
// whether it was, the result says.
TEST(relay, AStopReportsWhetherEverythingTheClientSentWasForwarded) {
    for (const bool client_sent_half_a_header : {false, true}) {
        relay_rig rig;
        rig.from_server.wanted_whole = "E";
        rig.from_server.decide = [](char type, std::span<char>) {
            return type == 'E' ? frame_verdict::stop_before : frame_verdict::forward;
        };
        rig.start();
        rig.client->send(frame('Q', std::string("SELECT 1") + '\0'));
        rig.run_until([&] { return rig.server->received().size() == 14; });
        if (client_sent_half_a_header) {
            rig.client->send(std::string("Q\0\0", 3));  // read by the relay, not yet a frame
            rig.settle();
        }
        rig.server->send(frame('E', "fatal"));
        rig.run_until([&] { return rig.result.has_value(); });
        EXPECT_EQ(rig.result->end, relay_end::stopped);
        EXPECT_EQ(rig.result->client_input_intact, !client_sent_half_a_header);
        EXPECT_EQ(rig.server->received(), frame('Q', std::string("SELECT 1") + '\0'));
    }
}

// The frame and the close arrive before the relay reads: the read that returns the frame comes
// back short, and the close behind it must still be seen (edge-triggered epoll reports nothing
// more for it; re-arming the wait does).
TEST(relay, AClientThatSendsAndClosesInOneGoEndsTheRelay) {
    relay_rig rig;
    rig.start();
    const std::string terminate = frame('X', "");
    rig.client->send(terminate);
    rig.client->close();
    rig.run_until([&] { return rig.result.has_value(); });
    EXPECT_EQ(rig.result->end, relay_end::client_closed);
    EXPECT_EQ(rig.server->received(), terminate);
}

// What a cut does (session_control::order_cut interrupts the relay): the server reads nothing,
// so the relay's write to it is stuck, and the cut must still end the relay at once.
TEST(relay, ACutWhileAWriteIsBlockedEndsTheRelay) {
    relay_rig rig;
    session_control control;
    control.relay = &rig.control;
    rig.start();
    const std::string chunk = frame('d', std::string(60'000, 'x'));
    // Fills the server's socket, the relay's buffer and the client's socket until the client
    // can send nothing more: the relay no longer reads because its write to the server waits.
    std::size_t sent = 0;
    int refused_rounds = 0;
    for (int round = 0; round < 1000 && refused_rounds < 3; ++round) {
        const std::size_t n =
            rig.client->send_some(std::string_view(chunk).substr(sent % chunk.size()));
        sent += n;
        refused_rounds = n == 0 ? refused_rounds + 1 : 0;
        rig.settle();
    }
    ASSERT_EQ(refused_rounds, 3) << "the relay kept reading: its write never blocked";
    ASSERT_FALSE(rig.result.has_value());
    control.order_cut({cut_reason::shutdown, "pgroute is shutting down"});
    rig.run_until([&] { return rig.result.has_value(); });
    EXPECT_TRUE(rig.result->interrupted);
}

}  // namespace
}  // namespace pgroute::proxy
