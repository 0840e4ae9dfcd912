#include "protocol/cancel_key.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "protocol/byte_reader.h"
#include "protocol/message_type.h"

namespace pgroute::protocol {
namespace {

constexpr std::uint32_t v3_0 = protocol_version(3, 0);
constexpr std::uint32_t v3_2 = protocol_version(3, 2);

// A BackendKeyData body: process id 12345, then `secret`.
std::string key_data_body(const std::string& secret) {
    return std::string("\x00\x00\x30\x39", 4) + secret;
}

TEST(cancel_key, ReadsTheFourByteSecretOfProtocol30) {
    const auto key = read_backend_key_data(key_data_body("\xde\xad\xbe\xef"));
    ASSERT_TRUE(key);
    EXPECT_EQ(key->process_id, 12345u);
    EXPECT_EQ(key->secret, "\xde\xad\xbe\xef");
}

TEST(cancel_key, ReadsSecretsOfEveryLengthFromFourTo256Bytes) {
    for (const std::size_t length : {4u, 5u, 32u, 255u, 256u}) {
        const std::string secret(length, '\x5a');
        const auto key = read_backend_key_data(key_data_body(secret));
        ASSERT_TRUE(key) << length << " bytes";
        EXPECT_EQ(key->secret, secret);
    }
}

TEST(cancel_key, RejectsASecretOutsideFourTo256Bytes) {
    for (const std::size_t length : {0u, 1u, 3u, 257u, 1000u})
        EXPECT_FALSE(read_backend_key_data(key_data_body(std::string(length, '\x01'))))
            << length << " bytes";
}

TEST(cancel_key, RejectsABodyTruncatedInsideItsProcessId) {
    EXPECT_FALSE(read_backend_key_data(""));
    EXPECT_FALSE(read_backend_key_data(std::string("\x00\x00\x01", 3)));
}

TEST(cancel_key, BeforeProtocol32OnlyFourByteSecretsAreAllowedFromItFourTo256) {
    EXPECT_TRUE(secret_length_allowed(4, v3_0));
    EXPECT_FALSE(secret_length_allowed(32, v3_0));
    EXPECT_TRUE(secret_length_allowed(4, protocol_version(3, 1)));
    EXPECT_FALSE(secret_length_allowed(32, protocol_version(3, 1)));
    for (const std::size_t length : {4u, 32u, 256u})
        EXPECT_TRUE(secret_length_allowed(length, v3_2)) << length;
    for (const std::size_t length : {0u, 3u, 257u})
        EXPECT_FALSE(secret_length_allowed(length, v3_2)) << length;
}

TEST(cancel_key, OverwritesABackendKeyDataBodyInPlace) {
    std::string body(8, '\0');
    ASSERT_TRUE(write_backend_key_data({0x01020304, "\xa0\xb0\xc0\xd0"}, body));
    EXPECT_EQ(body, std::string("\x01\x02\x03\x04\xa0\xb0\xc0\xd0", 8));
}

TEST(cancel_key, OverwritesA32ByteSecretInPlace) {
    std::string body = key_data_body(std::string(32, '\x01'));
    const cancel_key key{7, std::string(32, '\x77')};
    ASSERT_TRUE(write_backend_key_data(key, body));
    EXPECT_EQ(read_backend_key_data(body), key);
}

TEST(cancel_key, WritesNothingIntoABodyOfAnotherLength) {
    std::string body = key_data_body(std::string(32, '\x01'));
    const std::string before = body;
    EXPECT_FALSE(write_backend_key_data({7, "\x01\x02\x03\x04"}, body));
    EXPECT_EQ(body, before);
}

TEST(cancel_key, ABuiltCancelRequestParsesBackToItsKey) {
    for (const std::size_t length : {4u, 32u, 256u}) {
        const cancel_key key{4242, std::string(length, '\x7f')};
        const std::string packet = build_cancel_request(key);
        ASSERT_EQ(packet.size(), 12u + length);
        EXPECT_EQ(load_u32(packet.data()), 12u + length);
        const auto parsed = parse_startup_packet(std::string_view(packet).substr(4));
        ASSERT_TRUE(std::holds_alternative<startup_packet>(parsed)) << length;
        EXPECT_EQ(key_of(std::get<cancel_request>(std::get<startup_packet>(parsed))), key);
    }
}

TEST(cancel_key, ACancelRequestWithASecretOutsideFourTo256BytesIsAProtocolViolation) {
    for (const std::size_t length : {0u, 3u, 257u}) {
        const std::string packet = build_cancel_request({1, std::string(length, '\x01')});
        const auto parsed = parse_startup_packet(std::string_view(packet).substr(4));
        ASSERT_TRUE(std::holds_alternative<parse_error>(parsed)) << length;
        EXPECT_EQ(std::get<parse_error>(parsed).message, "invalid length of cancel request packet");
    }
}

}  // namespace
}  // namespace pgroute::protocol
