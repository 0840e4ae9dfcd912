#include "proxy/app/upgrade_handover.h"

#include <gtest/gtest.h>

namespace pgroute::proxy {
namespace {

TEST(upgrade_handover, WhatIsEncodedDecodesTheSame) {
    const handover sent{7, {9, 10, 11, 12}, 8};
    EXPECT_EQ(encode_handover(sent), "ready=7;listeners=9,10,11,12;admin=8");
    const auto got = decode_handover(encode_handover(sent));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->ready_fd, 7);
    EXPECT_EQ(got->listeners, (std::vector<int>{9, 10, 11, 12}));
    EXPECT_EQ(got->admin, 8);
}

TEST(upgrade_handover, NoAdminAndNoListenersAreValid) {
    const auto got = decode_handover(encode_handover({3, {}, std::nullopt}));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->ready_fd, 3);
    EXPECT_TRUE(got->listeners.empty());
    EXPECT_FALSE(got->admin);
}

TEST(upgrade_handover, ATextItCannotHaveWrittenIsRefused) {
    for (const char* text :
         {"", "listeners=4", "ready=", "ready=-1", "ready=3;ready=4", "ready=3;admin=1;admin=2",
          "ready=3;listeners=4,,5", "ready=3;listeners=4,x", "ready=3;sockets=4", "ready=3;",
          "ready=3x", "ready"}) {
        EXPECT_FALSE(decode_handover(text)) << text;
    }
}

TEST(upgrade_handover, TheCancelChannelIsOneDescriptor) {
    EXPECT_EQ(decode_descriptor("12"), 12);
    for (const char* text : {"", "-1", "12,13", "12 ", "x"})
        EXPECT_FALSE(decode_descriptor(text)) << text;
}

}  // namespace
}  // namespace pgroute::proxy
