#include "protocol/backend_message.h"

#include <gtest/gtest.h>

#include <string>

namespace pgroute::protocol {
namespace {

using namespace std::literals;

TEST(ReadyForQuery, ReadsIdle) {
    EXPECT_EQ(parse_ready_for_query("I"), transaction_status::idle);
}

TEST(ReadyForQuery, ReadsInTransaction) {
    EXPECT_EQ(parse_ready_for_query("T"), transaction_status::in_transaction);
}

TEST(ReadyForQuery, ReadsFailedTransaction) {
    EXPECT_EQ(parse_ready_for_query("E"), transaction_status::failed);
}

TEST(ReadyForQuery, RejectsAnUnknownStatusByte) {
    EXPECT_FALSE(parse_ready_for_query("X").has_value());
    EXPECT_FALSE(parse_ready_for_query("i").has_value());
    EXPECT_FALSE(parse_ready_for_query("\0"sv).has_value());
}

TEST(ReadyForQuery, RejectsABodyThatIsNotOneByte) {
    EXPECT_FALSE(parse_ready_for_query("").has_value());
    EXPECT_FALSE(parse_ready_for_query("II").has_value());
}

TEST(BackendKeyData, ReadsAProtocol30FourByteKey) {
    const auto key = parse_backend_key_data("\x00\x00\x30\x39\xde\xad\xbe\xef"sv);
    ASSERT_TRUE(key.has_value());
    EXPECT_EQ(key->process_id, 12345u);
    EXPECT_EQ(key->secret_key, "\xde\xad\xbe\xef"sv);
}

TEST(BackendKeyData, ReadsAProtocol32ThirtyTwoByteKey) {
    const std::string body = "\x7f\xff\xff\xff"s + std::string(32, '\x11');
    const auto key = parse_backend_key_data(body);
    ASSERT_TRUE(key.has_value());
    EXPECT_EQ(key->process_id, 0x7fffffffu);
    EXPECT_EQ(key->secret_key, std::string(32, '\x11'));
    EXPECT_EQ(key->secret_key.data(), body.data() + 4);
}

TEST(BackendKeyData, AcceptsTheLongestKeyOf256Bytes) {
    const std::string body = "\0\0\0\1"s + std::string(256, 'k');
    const auto key = parse_backend_key_data(body);
    ASSERT_TRUE(key.has_value());
    EXPECT_EQ(key->secret_key.size(), 256u);
}

TEST(BackendKeyData, RejectsAKeyOver256Bytes) {
    EXPECT_FALSE(parse_backend_key_data("\0\0\0\1"s + std::string(257, 'k')).has_value());
}

TEST(BackendKeyData, RejectsAKeyUnderFourBytes) {
    EXPECT_FALSE(parse_backend_key_data("\0\0\0\1abc"sv).has_value());
}

TEST(BackendKeyData, RejectsABodyWithoutAProcessId) {
    EXPECT_FALSE(parse_backend_key_data("").has_value());
    EXPECT_FALSE(parse_backend_key_data("\0\0\1"sv).has_value());
}

TEST(Authentication, ReadsAuthenticationOk) {
    const auto auth = parse_authentication("\0\0\0\0"sv);
    ASSERT_TRUE(auth.has_value());
    EXPECT_EQ(auth->code, auth_code::ok);
    EXPECT_TRUE(auth->data.empty());
}

TEST(Authentication, ReadsTheMd5Salt) {
    const auto auth = parse_authentication("\0\0\0\5\x01\x02\x03\x04"sv);
    ASSERT_TRUE(auth.has_value());
    EXPECT_EQ(auth->code, auth_code::md5_password);
    EXPECT_EQ(auth->data, "\x01\x02\x03\x04"sv);
}

TEST(Authentication, ReadsTheSaslMechanismList) {
    const auto body = "\0\0\0\x0aSCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0"sv;
    const auto auth = parse_authentication(body);
    ASSERT_TRUE(auth.has_value());
    EXPECT_EQ(auth->code, auth_code::sasl);
    EXPECT_EQ(auth->data, "SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0"sv);
    EXPECT_EQ(auth->data.data(), body.data() + 4);
}

TEST(Authentication, ReadsSaslContinueData) {
    const auto auth = parse_authentication("\0\0\0\x0br=abc,s=c2FsdA==,i=4096"sv);
    ASSERT_TRUE(auth.has_value());
    EXPECT_EQ(auth->code, auth_code::sasl_continue);
    EXPECT_EQ(auth->data, "r=abc,s=c2FsdA==,i=4096");
}

TEST(Authentication, RejectsABodyWithoutACode) {
    EXPECT_FALSE(parse_authentication("").has_value());
    EXPECT_FALSE(parse_authentication("\0\0\0"sv).has_value());
}

TEST(ParameterStatus, ReadsNameAndValue) {
    const auto status = parse_parameter_status(
        "server_version\0"
        "15.4\0"sv);
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(status->name, "server_version");
    EXPECT_EQ(status->value, "15.4");
}

TEST(ParameterStatus, ReadsAnEmptyValue) {
    const auto status = parse_parameter_status("application_name\0\0"sv);
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(status->name, "application_name");
    EXPECT_TRUE(status->value.empty());
}

TEST(ParameterStatus, RejectsAValueMissingItsNul) {
    EXPECT_FALSE(parse_parameter_status("server_version\0"
                                        "15.4"sv)
                     .has_value());
}

TEST(ParameterStatus, RejectsANameMissingItsNul) {
    EXPECT_FALSE(parse_parameter_status("server_version").has_value());
    EXPECT_FALSE(parse_parameter_status("").has_value());
}

TEST(ParameterStatus, RejectsBytesAfterTheValue) {
    EXPECT_FALSE(parse_parameter_status("TimeZone\0UTC\0extra"sv).has_value());
}

}  // namespace
}  // namespace pgroute::protocol
