#include "protocol/startup_answer.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol/error_response.h"
#include "protocol/sqlstate.h"

namespace pgroute::protocol {
namespace {

using namespace std::string_view_literals;

const std::string shutting_down = build_error_response(
    {severity::fatal, sqlstate::cannot_connect_now, "the database system is shutting down"});

TEST(startup_answer, A57P03ErrorResponseIsACannotConnectNowAnswer) {
    const auto refusal = cannot_connect_now_answer(shutting_down);
    ASSERT_TRUE(refusal.has_value());
    EXPECT_EQ(refusal->sqlstate, "57P03");
    EXPECT_EQ(refusal->message, "the database system is shutting down");
}

TEST(startup_answer, BytesAfterTheErrorResponseDoNotMatter) {
    EXPECT_TRUE(cannot_connect_now_answer(shutting_down + "trailing").has_value());
}

TEST(startup_answer, A57P03AfterANegotiateProtocolVersionIsACannotConnectNowAnswer) {
    // PostgreSQL 15's answer to a 3.2 client while it shuts down.
    const std::string negotiated = std::string("v\0\0\0\x0c\0\3\0\0\0\0\0\0", 13);
    const auto refusal = cannot_connect_now_answer(negotiated + shutting_down);
    ASSERT_TRUE(refusal.has_value());
    EXPECT_EQ(refusal->sqlstate, "57P03");
    EXPECT_FALSE(cannot_connect_now_answer(negotiated).has_value());
    EXPECT_FALSE(
        cannot_connect_now_answer(negotiated + std::string("R\0\0\0\x08\0\0\0\0", 9)).has_value());
}

TEST(startup_answer, AnErrorResponseWithAnotherSqlstateIsNot) {
    const std::string too_many = build_error_response(
        {severity::fatal, sqlstate::too_many_connections, "sorry, too many clients already"});
    EXPECT_FALSE(cannot_connect_now_answer(too_many).has_value());
}

TEST(startup_answer, AnAuthenticationRequestIsNot) {
    EXPECT_FALSE(cannot_connect_now_answer("R\0\0\0\x08\0\0\0\0"sv).has_value());
}

TEST(startup_answer, AnIncompleteErrorResponseIsNot) {
    for (std::size_t size = 0; size < shutting_down.size(); ++size) {
        EXPECT_FALSE(cannot_connect_now_answer(std::string_view(shutting_down).substr(0, size)))
            << "with the first " << size << " bytes";
    }
}

TEST(startup_answer, ALengthShorterThanItselfIsNot) {
    EXPECT_FALSE(cannot_connect_now_answer("E\0\0\0\x03"sv).has_value());
}

}  // namespace
}  // namespace pgroute::protocol
