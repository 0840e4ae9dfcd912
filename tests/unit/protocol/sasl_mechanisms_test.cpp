#include "protocol/sasl_mechanisms.h"

#include <gtest/gtest.h>

#include <string>

namespace pgroute::protocol {
namespace {

std::string sasl_body(const std::string& mechanisms) {
    return std::string("\x00\x00\x00\x0a", 4) + mechanisms + std::string(1, '\0');
}

TEST(sasl_mechanisms, HidesScramPlusAndKeepsTheLength) {
    std::string body = sasl_body(std::string("SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0", 33));
    const auto before = body.size();
    EXPECT_TRUE(hide_channel_binding(body));
    EXPECT_EQ(body.size(), before);
    EXPECT_EQ(body, sasl_body(std::string("PGROUTE-NO-BINDING\0SCRAM-SHA-256\0", 33)));
}

TEST(sasl_mechanisms, FindsScramPlusAfterOtherMechanisms) {
    std::string body = sasl_body(std::string("SCRAM-SHA-256\0SCRAM-SHA-256-PLUS\0", 33));
    EXPECT_TRUE(hide_channel_binding(body));
    EXPECT_EQ(body, sasl_body(std::string("SCRAM-SHA-256\0PGROUTE-NO-BINDING\0", 33)));
}

TEST(sasl_mechanisms, LeavesAListWithoutScramPlusAlone) {
    std::string body = sasl_body(std::string("SCRAM-SHA-256\0", 14));
    const std::string original = body;
    EXPECT_FALSE(hide_channel_binding(body));
    EXPECT_EQ(body, original);
}

TEST(sasl_mechanisms, LeavesOtherAuthenticationMessagesAlone) {
    // AuthenticationSASLContinue (11) whose data happens to spell the mechanism.
    std::string body = std::string("\x00\x00\x00\x0b", 4) + "SCRAM-SHA-256-PLUS" + '\0';
    const std::string original = body;
    EXPECT_FALSE(hide_channel_binding(body));
    EXPECT_EQ(body, original);
    std::string md5 = std::string("\x00\x00\x00\x05", 4) + "salt";
    EXPECT_FALSE(hide_channel_binding(md5));
}

TEST(sasl_mechanisms, SurvivesTruncatedAndUnterminatedBodies) {
    std::string short_body("\x00\x00\x00", 3);
    EXPECT_FALSE(hide_channel_binding(short_body));
    std::string unterminated = std::string("\x00\x00\x00\x0a", 4) + "SCRAM-SHA-256-PLU";
    EXPECT_FALSE(hide_channel_binding(unterminated));
    std::string only_code("\x00\x00\x00\x0a", 4);
    EXPECT_FALSE(hide_channel_binding(only_code));
}

}  // namespace
}  // namespace pgroute::protocol
