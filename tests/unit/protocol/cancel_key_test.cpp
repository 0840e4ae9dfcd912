#include "protocol/cancel_key.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <variant>

namespace pgroute::protocol {
namespace {

TEST(CancelKey, ReadsTheEightByteBackendKeyData) {
    const std::string body("\x00\x00\x30\x39\xde\xad\xbe\xef", 8);
    const auto key = read_backend_key_data(body);
    ASSERT_TRUE(key);
    EXPECT_EQ(key->process_id, 12345u);
    EXPECT_EQ(key->secret, 0xdeadbeefu);
}

TEST(CancelKey, RejectsABackendKeyDataOfAnotherSize) {
    EXPECT_FALSE(read_backend_key_data(std::string(7, '\x01')));
    EXPECT_FALSE(read_backend_key_data(std::string(36, '\x01')));  // a protocol 3.2 secret
}

TEST(CancelKey, OverwritesABackendKeyDataBodyInPlace) {
    std::array<char, backend_key_data_body_size> body{};
    write_backend_key_data({0x01020304, 0xa0b0c0d0}, body);
    EXPECT_EQ(std::string(body.data(), body.size()),
              std::string("\x01\x02\x03\x04\xa0\xb0\xc0\xd0", 8));
    EXPECT_EQ(read_backend_key_data(std::string_view(body.data(), body.size())),
              (cancel_key{0x01020304, 0xa0b0c0d0}));
}

TEST(CancelKey, ABuiltCancelRequestParsesBackToItsKey) {
    const cancel_key key{4242, 0x7fffffff};
    const std::string packet = build_cancel_request(key);
    ASSERT_EQ(packet.size(), 16u);
    EXPECT_EQ(packet.substr(0, 4), std::string("\x00\x00\x00\x10", 4));
    const auto parsed = parse_startup_packet(std::string_view(packet).substr(4));
    ASSERT_TRUE(std::holds_alternative<startup_packet>(parsed));
    const auto& request = std::get<cancel_request>(std::get<startup_packet>(parsed));
    EXPECT_EQ(key_of(request), key);
}

TEST(CancelKey, ALongerSecretMatchesNoKey) {
    const std::string secret(32, '\x05');
    EXPECT_FALSE(key_of(cancel_request{7, secret}));
}

}  // namespace
}  // namespace pgroute::protocol
