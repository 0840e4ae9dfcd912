#include "protocol/authentication.h"

#include <gtest/gtest.h>

#include <string>

namespace pgroute::protocol {
namespace {

using namespace std::string_literals;

// The body of a complete 'R' or 'p' message: after the type byte and the length.
std::string body_of(const std::string& message) {
    return message.substr(5);
}

TEST(authentication, BuildsTheRequestsAsPostgresSendsThem) {
    EXPECT_EQ(build_authentication_ok(), "R\0\0\0\x08\0\0\0\0"s);
    EXPECT_EQ(build_authentication_md5({1, 2, 3, 4}), "R\0\0\0\x0c\0\0\0\x05\x01\x02\x03\x04"s);
    EXPECT_EQ(build_authentication_sasl({"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"}),
              "R\0\0\0\x2a\0\0\0\x0aSCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0"s);
    EXPECT_EQ(build_authentication_sasl_continue("r=abc"), "R\0\0\0\x0d\0\0\0\x0br=abc"s);
    EXPECT_EQ(build_authentication_sasl_final("v=xyz"), "R\0\0\0\x0d\0\0\0\x0cv=xyz"s);
}

TEST(authentication, ParsesWhatItBuilds) {
    // The parsed views point into the body.
    const std::string sasl_body =
        body_of(build_authentication_sasl({"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"}));
    const auto sasl = parse_authentication(sasl_body);
    ASSERT_TRUE(sasl.has_value());
    EXPECT_EQ(sasl->code, static_cast<std::uint32_t>(authentication_code::sasl));
    EXPECT_EQ(sasl->mechanisms,
              (std::vector<std::string_view>{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"}));

    const auto md5 = parse_authentication(body_of(build_authentication_md5({9, 8, 7, 6})));
    ASSERT_TRUE(md5.has_value());
    EXPECT_EQ(md5->salt, (std::array<std::uint8_t, 4>{9, 8, 7, 6}));

    const std::string next_body = body_of(build_authentication_sasl_continue("r=1"));
    const auto next = parse_authentication(next_body);
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(next->code, static_cast<std::uint32_t>(authentication_code::sasl_continue));
    EXPECT_EQ(next->data, "r=1");

    const auto ok = parse_authentication(body_of(build_authentication_ok()));
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(ok->code, 0u);
}

TEST(authentication, KeepsTheCodeOfAMethodItDoesNotSpeak) {
    const auto gss = parse_authentication("\0\0\0\x07"s);  // AuthenticationGSS
    ASSERT_TRUE(gss.has_value());
    EXPECT_EQ(gss->code, 7u);
}

TEST(authentication, RejectsBodiesThatDoNotMatchTheirCode) {
    EXPECT_FALSE(parse_authentication(""s).has_value());
    EXPECT_FALSE(parse_authentication("\0\0\0"s).has_value());
    EXPECT_FALSE(parse_authentication("\0\0\0\0x"s).has_value());               // ok with a tail
    EXPECT_FALSE(parse_authentication("\0\0\0\x05\x01\x02\x03"s).has_value());  // short salt
    EXPECT_FALSE(parse_authentication("\0\0\0\x05\x01\x02\x03\x04\x05"s).has_value());
    EXPECT_FALSE(parse_authentication("\0\0\0\x0aSCRAM-SHA-256\0"s).has_value());  // no end
    EXPECT_FALSE(parse_authentication("\0\0\0\x0aSCRAM-SHA-256\0\0x"s).has_value());
}

TEST(authentication, ParsesASaslInitialResponse) {
    const std::string message = build_sasl_initial_response("SCRAM-SHA-256", "n,,n=,r=abc");
    EXPECT_EQ(message, "p\0\0\0\x21SCRAM-SHA-256\0\0\0\0\x0bn,,n=,r=abc"s);
    const std::string body = body_of(message);
    const auto parsed = parse_sasl_initial_response(body);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->mechanism, "SCRAM-SHA-256");
    EXPECT_EQ(parsed->data, "n,,n=,r=abc");

    const auto without = parse_sasl_initial_response("SCRAM-SHA-256\0\xff\xff\xff\xff"s);
    ASSERT_TRUE(without.has_value());
    EXPECT_FALSE(without->data.has_value());
}

TEST(authentication, RejectsAMalformedSaslInitialResponse) {
    EXPECT_FALSE(parse_sasl_initial_response("SCRAM-SHA-256"s).has_value());  // no NUL
    EXPECT_FALSE(parse_sasl_initial_response("SCRAM-SHA-256\0\0\0"s).has_value());
    EXPECT_FALSE(parse_sasl_initial_response("SCRAM-SHA-256\0\0\0\0\x05"
                                             "abc"s)
                     .has_value());
    EXPECT_FALSE(parse_sasl_initial_response("SCRAM-SHA-256\0\0\0\0\x01"
                                             "ab"s)
                     .has_value());
    EXPECT_FALSE(parse_sasl_initial_response("SCRAM-SHA-256\0\xff\xff\xff\xfe"s).has_value());
}

TEST(authentication, PasswordMessageIsOneTerminatedString) {
    EXPECT_EQ(build_password_message("md5abc"), "p\0\0\0\x0bmd5abc\0"s);
    EXPECT_EQ(parse_password_message("md5abc\0"s), "md5abc");
    EXPECT_FALSE(parse_password_message("md5abc"s).has_value());
    EXPECT_FALSE(parse_password_message("md5\0abc\0"s).has_value());
    EXPECT_EQ(build_sasl_response("c=biws"),
              "p\0\0\0\x0a"
              "c=biws"s);
}

}  // namespace
}  // namespace pgroute::protocol
