#include "proxy/cancel/predecessor_cancels.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>

namespace pgroute::proxy {
namespace {

// The old process's end of the channel, as spawn_upgrade makes it.
struct channel {
    int old_end = -1;
    int new_end = -1;
    channel() {
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) std::abort();
        old_end = fds[0];
        new_end = fds[1];
    }
    ~channel() {
        if (old_end >= 0) ::close(old_end);
    }
};

TEST(predecessor_cancels, AKeyGoesToTheOldProcessAsAPeersCancelRequest) {
    channel pair;
    predecessor_cancels old_process(pair.new_end, 4242);
    const protocol::cancel_key key{0x01020304, "\x05\x06\x07\x08"};
    EXPECT_TRUE(old_process.pass(key));
    std::array<char, 64> got{};
    const auto length = ::recv(pair.old_end, got.data(), got.size(), MSG_DONTWAIT);
    EXPECT_EQ(std::string(got.data(), static_cast<std::size_t>(std::max<ssize_t>(length, 0))),
              protocol::build_cancel_request(key, true));
    EXPECT_EQ(old_process.pid(), 4242);
}

TEST(predecessor_cancels, OnceTheOldProcessIsGoneNothingIsPassed) {
    channel pair;
    predecessor_cancels old_process(pair.new_end, 4242);
    ::close(pair.old_end);
    pair.old_end = -1;
    const protocol::cancel_key key{1, "\x01\x02\x03\x04"};
    EXPECT_FALSE(old_process.pass(key));
    EXPECT_FALSE(old_process.pass(key));
}

TEST(predecessor_cancels, WithoutAnUpgradeThereIsNoOldProcess) {
    predecessor_cancels none(std::nullopt, -1);
    EXPECT_FALSE(none.pass({1, "\x01\x02\x03\x04"}));
}

}  // namespace
}  // namespace pgroute::proxy
