#include "protocol/protocol_version.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "protocol/byte_reader.h"
#include "protocol/message_builder.h"

namespace pgroute::protocol {
namespace {

using namespace std::literals;

// A StartupMessage as parse_startup_packet reads it from `packet` (length included).
startup_message parsed_startup(const std::string& packet) {
    auto parsed = parse_startup_packet(std::string_view(packet).substr(4));
    return std::get<startup_message>(std::get<startup_packet>(parsed));
}

std::string startup_bytes(std::uint32_t version, std::string_view parameters) {
    return message_builder().u32(version).bytes(parameters).u8(0).finish();
}

TEST(startup_negotiation, A30Or32ClientWithoutOptionsIsServedAsItAsked) {
    for (const auto version : {protocol_version(3, 0), protocol_version(3, 2)}) {
        const std::string packet = startup_bytes(version, "user\0alice\0"sv);
        const auto negotiation = negotiate_startup(parsed_startup(packet));
        EXPECT_EQ(negotiation.offered, version);
        EXPECT_TRUE(negotiation.unsupported_options.empty());
        EXPECT_FALSE(negotiation.answer_due());
    }
}

TEST(startup_negotiation, ANewerMinorVersionIsLoweredTo32) {
    const std::string packet = startup_bytes(protocol_version(3, 9999), "user\0alice\0"sv);
    const auto negotiation = negotiate_startup(parsed_startup(packet));
    EXPECT_EQ(negotiation.requested, protocol_version(3, 9999));
    EXPECT_EQ(negotiation.offered, protocol_version(3, 2));
    EXPECT_TRUE(negotiation.answer_due());
}

TEST(startup_negotiation, ProtocolOptionsAreUnsupportedAndLeftOutOfTheNodesPacket) {
    const std::string packet = startup_bytes(
        protocol_version(3, 2), "user\0alice\0_pq_.compression\0on\0database\0db\0_pq_.x\0\0"sv);
    const auto message = parsed_startup(packet);
    const auto negotiation = negotiate_startup(message);
    EXPECT_EQ(negotiation.unsupported_options,
              (std::vector<std::string>{"_pq_.compression", "_pq_.x"}));
    EXPECT_TRUE(negotiation.answer_due());
    EXPECT_EQ(build_startup_packet(message, negotiation),
              startup_bytes(protocol_version(3, 2), "user\0alice\0database\0db\0"sv));
}

TEST(startup_negotiation, TheNodesPacketCarriesTheLoweredVersion) {
    const std::string packet =
        startup_bytes(protocol_version(3, 5), "user\0alice\0application_name\0app\0"sv);
    const auto message = parsed_startup(packet);
    EXPECT_EQ(build_startup_packet(message, negotiate_startup(message)),
              startup_bytes(protocol_version(3, 2), "user\0alice\0application_name\0app\0"sv));
}

TEST(negotiate_protocol_version, ReadsWhatPostgreSQL15Answers) {
    // 3.0, no unsupported options: PostgreSQL 15's answer to a 3.2 StartupMessage.
    const auto answer = parse_negotiate_protocol_version("\0\3\0\0\0\0\0\0"sv);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->newest_version, protocol_version(3, 0));
    EXPECT_TRUE(answer->unsupported_options.empty());
}

TEST(negotiate_protocol_version, ReadsTheOptionNames) {
    const auto answer = parse_negotiate_protocol_version("\0\3\0\2\0\0\0\2_pq_.a\0_pq_.b\0"sv);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->newest_version, protocol_version(3, 2));
    EXPECT_EQ(answer->unsupported_options, (std::vector<std::string_view>{"_pq_.a", "_pq_.b"}));
}

TEST(negotiate_protocol_version, RejectsATruncatedOrPaddedBody) {
    EXPECT_FALSE(parse_negotiate_protocol_version(""));
    EXPECT_FALSE(parse_negotiate_protocol_version("\0\3\0\0\0\0"sv));
    EXPECT_FALSE(parse_negotiate_protocol_version("\0\3\0\0\0\0\0\1_pq_.a"sv));  // no NUL
    EXPECT_FALSE(parse_negotiate_protocol_version("\0\3\0\0\0\0\0\1"sv));        // no name
    EXPECT_FALSE(parse_negotiate_protocol_version("\0\3\0\0\0\0\0\0x"sv));       // trailing byte
    EXPECT_FALSE(parse_negotiate_protocol_version("\0\3\0\0\xff\xff\xff\xff"sv));
}

TEST(negotiate_protocol_version, ABuiltMessageParsesBack) {
    const std::vector<std::string> options{"_pq_.test_protocol_negotiation"};
    const std::string message = build_negotiate_protocol_version(protocol_version(3, 2), options);
    ASSERT_EQ(message[0], 'v');
    EXPECT_EQ(load_u32(message.data() + 1), message.size() - 1);
    const auto answer = parse_negotiate_protocol_version(std::string_view(message).substr(5));
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->newest_version, protocol_version(3, 2));
    EXPECT_EQ(answer->unsupported_options,
              (std::vector<std::string_view>{"_pq_.test_protocol_negotiation"}));
}

}  // namespace
}  // namespace pgroute::protocol
