#include "protocol/startup.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "protocol/cancel_key.h"
#include "protocol/message_builder.h"
#include "protocol/message_type.h"
#include "protocol/sqlstate.h"

namespace pgroute::protocol {
namespace {

using namespace std::string_view_literals;
using parameter_list = std::vector<std::pair<std::string_view, std::string_view>>;
using parse_result = std::variant<startup_packet, parse_error>;

// The bytes after the length field: the code, the parameters, the terminator.
std::string startup_body(std::uint32_t version, const parameter_list& parameters) {
    message_builder msg;
    msg.u32(version);
    for (const auto& [name, value] : parameters)
        msg.cstring(name).cstring(value);
    msg.u8(0);
    return std::move(msg).finish().substr(4);
}

std::string request_body(std::uint32_t code, std::string_view tail = {}) {
    message_builder msg;
    msg.u32(code).bytes(tail);
    return std::move(msg).finish().substr(4);
}

template <typename Packet>
const Packet* packet_of(const parse_result& result) {
    const auto* packet = std::get_if<startup_packet>(&result);
    return packet == nullptr ? nullptr : std::get_if<Packet>(packet);
}

const parse_error* error_of(const parse_result& result) {
    return std::get_if<parse_error>(&result);
}

bool points_into(std::string_view view, std::string_view body) {
    return view.data() >= body.data() && view.data() + view.size() <= body.data() + body.size();
}

TEST(startup_packet, ParsesEveryParameterTheProxyReads) {
    const std::string body = startup_body(protocol_version(3, 0), {{"user", "alice"},
                                                                   {"database", "shop"},
                                                                   {"application_name", "psql"},
                                                                   {"options", "-c geqo=off"},
                                                                   {"replication", "database"}});
    const auto result = parse_startup_packet(body);
    const auto* msg = packet_of<startup_message>(result);
    ASSERT_NE(msg, nullptr);
    EXPECT_EQ(msg->version, 196608u);
    EXPECT_EQ(msg->major(), 3u);
    EXPECT_EQ(msg->minor(), 0u);
    EXPECT_EQ(msg->user, "alice");
    EXPECT_EQ(msg->database, "shop");
    EXPECT_EQ(msg->application_name, "psql");
    EXPECT_EQ(msg->replication, "database");
    const parameter_list expected = {{"user", "alice"},
                                     {"database", "shop"},
                                     {"application_name", "psql"},
                                     {"options", "-c geqo=off"},
                                     {"replication", "database"}};
    EXPECT_EQ(msg->parameters, expected);
}

TEST(startup_packet, ParsesAHandWrittenStartupMessage) {
    const std::string body("\0\3\0\0user\0bob\0database\0db1\0\0"sv);
    const auto result = parse_startup_packet(body);
    const auto* msg = packet_of<startup_message>(result);
    ASSERT_NE(msg, nullptr);
    EXPECT_EQ(msg->user, "bob");
    EXPECT_EQ(msg->database, "db1");
    EXPECT_TRUE(msg->application_name.empty());
    EXPECT_TRUE(msg->replication.empty());
    EXPECT_EQ(msg->parameters.size(), 2u);
}

TEST(startup_packet, ReturnsViewsIntoThePacket) {
    const std::string body =
        startup_body(protocol_version(3, 0), {{"user", "alice"}, {"application_name", "app"}});
    const auto result = parse_startup_packet(body);
    const auto* msg = packet_of<startup_message>(result);
    ASSERT_NE(msg, nullptr);
    EXPECT_TRUE(points_into(msg->user, body));
    EXPECT_TRUE(points_into(msg->database, body));
    EXPECT_TRUE(points_into(msg->application_name, body));
    for (const auto& [name, value] : msg->parameters) {
        EXPECT_TRUE(points_into(name, body)) << name;
        EXPECT_TRUE(points_into(value, body)) << name;
    }
}

TEST(startup_packet, DefaultsAnAbsentDatabaseToTheUser) {
    const std::string body = startup_body(protocol_version(3, 0), {{"user", "alice"}});
    const auto result = parse_startup_packet(body);
    const auto* msg = packet_of<startup_message>(result);
    ASSERT_NE(msg, nullptr);
    EXPECT_EQ(msg->database, "alice");
}

TEST(startup_packet, DefaultsAnEmptyDatabaseToTheUser) {
    const std::string body =
        startup_body(protocol_version(3, 0), {{"database", ""}, {"user", "alice"}});
    const auto result = parse_startup_packet(body);
    const auto* msg = packet_of<startup_message>(result);
    ASSERT_NE(msg, nullptr);
    EXPECT_EQ(msg->database, "alice");
}

TEST(startup_packet, TakesTheLastOfARepeatedParameterAsTheServerDoes) {
    const std::string body =
        startup_body(protocol_version(3, 0), {{"user", "first"}, {"user", "second"}});
    const auto result = parse_startup_packet(body);
    const auto* msg = packet_of<startup_message>(result);
    ASSERT_NE(msg, nullptr);
    EXPECT_EQ(msg->user, "second");
    EXPECT_EQ(msg->parameters.size(), 2u);
}

void expect_error(const parse_result& result, std::string_view sqlstate, std::string_view message) {
    const auto* error = error_of(result);
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(error->sqlstate, sqlstate);
    EXPECT_EQ(error->message, message);
}

TEST(startup_packet, RejectsAMissingUserWith28000) {
    const std::string body = startup_body(protocol_version(3, 0), {{"database", "shop"}});
    expect_error(parse_startup_packet(body), sqlstate::invalid_authorization_specification,
                 "no PostgreSQL user name specified in startup packet");
}

TEST(startup_packet, RejectsAnEmptyUserWith28000) {
    const std::string body = startup_body(protocol_version(3, 0), {{"user", ""}});
    expect_error(parse_startup_packet(body), sqlstate::invalid_authorization_specification,
                 "no PostgreSQL user name specified in startup packet");
}

TEST(startup_packet, RejectsAPacketWithNoParametersAsMissingTheUser) {
    const std::string body = startup_body(protocol_version(3, 0), {});
    const auto result = parse_startup_packet(body);
    const auto* error = error_of(result);
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(error->sqlstate, sqlstate::invalid_authorization_specification);
}

class startup_packet_layout : public ::testing::TestWithParam<std::string_view> {};

TEST_P(startup_packet_layout, RejectsAMalformedParameterListWith08P01) {
    const std::string body = request_body(protocol_version(3, 0), GetParam());
    const auto result = parse_startup_packet(body);
    const auto* error = error_of(result);
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(error->sqlstate, sqlstate::protocol_violation);
    EXPECT_TRUE(error->message.starts_with("invalid startup packet layout")) << error->message;
}

INSTANTIATE_TEST_SUITE_P(MissingTerminator, startup_packet_layout,
                         ::testing::Values(""sv, "user\0alice\0"sv, "user\0alice"sv, "user"sv));
INSTANTIATE_TEST_SUITE_P(KeyWithoutValue, startup_packet_layout,
                         ::testing::Values("user\0alice\0options\0\0"sv, "user\0\0"sv));
INSTANTIATE_TEST_SUITE_P(EmptyName, startup_packet_layout,
                         ::testing::Values("\0alice\0\0"sv, "user\0alice\0\0x\0\0"sv));

TEST(startup_packet, ReportsAMissingTerminatorInPostgresWording) {
    const std::string body = request_body(protocol_version(3, 0), "user\0alice"sv);
    expect_error(parse_startup_packet(body), sqlstate::protocol_violation,
                 "invalid startup packet layout: expected terminator as last byte");
}

TEST(startup_packet, RejectsProtocol2WithPostgresWording) {
    const std::string body = startup_body(protocol_version(2, 0), {{"user", "alice"}});
    expect_error(parse_startup_packet(body), sqlstate::feature_not_supported,
                 "unsupported frontend protocol 2.0: server supports 3.0 to 3.2");
}

TEST(startup_packet, RejectsProtocol4WithPostgresWording) {
    const std::string body = startup_body(protocol_version(4, 0), {{"user", "alice"}});
    expect_error(parse_startup_packet(body), sqlstate::feature_not_supported,
                 "unsupported frontend protocol 4.0: server supports 3.0 to 3.2");
}

TEST(startup_packet, PassesProtocol32ThroughForTheServerToNegotiate) {
    const std::string body = startup_body(protocol_version(3, 2), {{"user", "alice"}});
    const auto result = parse_startup_packet(body);
    const auto* msg = packet_of<startup_message>(result);
    ASSERT_NE(msg, nullptr);
    EXPECT_EQ(msg->version, 196610u);
    EXPECT_EQ(msg->major(), 3u);
    EXPECT_EQ(msg->minor(), 2u);
}

TEST(startup_packet, RecognisesAnSSLRequest) {
    const std::string body("\x04\xd2\x16\x2f", 4);
    EXPECT_NE(packet_of<ssl_request>(parse_startup_packet(body)), nullptr);
}

TEST(startup_packet, RecognisesAGSSENCRequest) {
    const std::string body("\x04\xd2\x16\x30", 4);
    EXPECT_NE(packet_of<gssenc_request>(parse_startup_packet(body)), nullptr);
}

TEST(startup_packet, RejectsAnSSLRequestWithTrailingBytes) {
    expect_error(parse_startup_packet(request_body(negotiate_ssl_code, "x")),
                 sqlstate::protocol_violation, "invalid length of encryption request packet");
}

TEST(startup_packet, RejectsAGSSENCRequestWithTrailingBytes) {
    expect_error(parse_startup_packet(request_body(negotiate_gss_code, "\0\0\0\0"sv)),
                 sqlstate::protocol_violation, "invalid length of encryption request packet");
}

TEST(startup_packet, ParsesACancelRequestWithAFourByteKey) {
    const std::string body("\x04\xd2\x16\x2e\x00\x00\x30\x39\xde\xad\xbe\xef", 12);
    const auto result = parse_startup_packet(body);
    const auto* cancel = packet_of<cancel_request>(result);
    ASSERT_NE(cancel, nullptr);
    EXPECT_EQ(cancel->process_id, 12345u);
    EXPECT_EQ(cancel->secret_key, "\xde\xad\xbe\xef");
    EXPECT_TRUE(points_into(cancel->secret_key, body));
}

TEST(startup_packet, ParsesACancelRequestWithAProtocol32ThirtyTwoByteKey) {
    const std::string key(32, '\x5a');
    const std::string body = request_body(cancel_request_code, "\0\0\0\7"sv) + key;
    const auto result = parse_startup_packet(body);
    const auto* cancel = packet_of<cancel_request>(result);
    ASSERT_NE(cancel, nullptr);
    EXPECT_EQ(cancel->process_id, 7u);
    EXPECT_EQ(cancel->secret_key, key);
}

TEST(startup_packet, APeersCancelRequestIsACancelRequestMarkedAsFromAPeer) {
    const cancel_key key{0x02000007, "\x01\x02\x03\x04"};
    const std::string packet = build_cancel_request(key, true);
    const auto result = parse_startup_packet(std::string_view(packet).substr(4));
    const auto* cancel = packet_of<cancel_request>(result);
    ASSERT_NE(cancel, nullptr);
    EXPECT_TRUE(cancel->from_peer);
    EXPECT_EQ(key_of(*cancel), key);
    const std::string client = build_cancel_request(key);
    const auto client_result = parse_startup_packet(std::string_view(client).substr(4));
    const auto* plain = packet_of<cancel_request>(client_result);
    ASSERT_NE(plain, nullptr);
    EXPECT_FALSE(plain->from_peer);
}

TEST(startup_packet, AcceptsTheLongestCancelKeyOf256Bytes) {
    const std::string body =
        request_body(cancel_request_code, "\0\0\0\7"sv) + std::string(256, 'k');
    const auto result = parse_startup_packet(body);
    const auto* cancel = packet_of<cancel_request>(result);
    ASSERT_NE(cancel, nullptr);
    EXPECT_EQ(cancel->secret_key.size(), 256u);
}

class cancel_request_tail : public ::testing::TestWithParam<std::size_t> {};

TEST_P(cancel_request_tail, RejectsACancelRequestOfThisManyBytesAfterTheCode) {
    const std::string body = request_body(cancel_request_code, std::string(GetParam(), '\1'));
    expect_error(parse_startup_packet(body), sqlstate::protocol_violation,
                 "invalid length of cancel request packet");
}

// Up to 3 bytes: no process id; 4 + 3: a 3-byte key; 4 + 257: a key over the 256-byte ceiling.
INSTANTIATE_TEST_SUITE_P(BadLengths, cancel_request_tail,
                         ::testing::Values(0u, 3u, 4u, 7u, 4u + 257u));

class short_startup_body : public ::testing::TestWithParam<std::size_t> {};

TEST_P(short_startup_body, RejectsABodyTooShortForItsCode) {
    expect_error(parse_startup_packet(std::string(GetParam(), '\3')), sqlstate::protocol_violation,
                 "invalid length of startup packet");
}

INSTANTIATE_TEST_SUITE_P(ZeroToThreeBytes, short_startup_body, ::testing::Values(0u, 1u, 2u, 3u));

struct length_case {
    std::uint32_t length;
    bool accepted;
};

class startup_length : public ::testing::TestWithParam<length_case> {};

// PostgreSQL subtracts the length word itself before comparing with MAX_STARTUP_PACKET_LENGTH
// (ProcessStartupPacket: `len -= 4; if (len < 4 || len > MAX_STARTUP_PACKET_LENGTH)`): a real
// PostgreSQL 15 accepts a 10004-byte StartupMessage and refuses a 10005-byte one.
TEST_P(startup_length, AcceptsExactlyTheLengthsPostgresAccepts) {
    const auto result = check_startup_length(GetParam().length, max_startup_packet_length);
    if (GetParam().accepted) {
        EXPECT_TRUE(std::holds_alternative<std::monostate>(result));
        return;
    }
    const auto* error = std::get_if<parse_error>(&result);
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(error->sqlstate, sqlstate::protocol_violation);
    EXPECT_EQ(error->message, "invalid length of startup packet");
}

INSTANTIATE_TEST_SUITE_P(Boundaries, startup_length,
                         ::testing::Values(length_case{0, false}, length_case{7, false},
                                           length_case{8, true}, length_case{10000, true},
                                           length_case{10001, true}, length_case{10004, true},
                                           length_case{10005, false},
                                           length_case{0x7fffffff, false},
                                           length_case{0xffffffff, false}),
                         [](const auto& info) {
                             return "Length" + std::to_string(info.param.length) +
                                    (info.param.accepted ? "Accepted" : "Refused");
                         });

}  // namespace
}  // namespace pgroute::protocol
