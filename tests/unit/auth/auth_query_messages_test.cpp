#include "proxy/auth/auth_query_messages.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol/error_response.h"
#include "protocol/message_builder.h"

namespace pgroute::proxy::auth {
namespace {

// A DataRow body of text columns; nullopt is NULL.
std::string data_row(std::initializer_list<std::optional<std::string>> columns) {
    std::string body;
    body.push_back(static_cast<char>(columns.size() >> 8));
    body.push_back(static_cast<char>(columns.size() & 0xff));
    for (const auto& column : columns) {
        const std::uint32_t length = column ? static_cast<std::uint32_t>(column->size()) : ~0U;
        for (int shift = 24; shift >= 0; shift -= 8)
            body.push_back(static_cast<char>((length >> shift) & 0xff));
        if (column) body += *column;
    }
    return body;
}

// Feeds `messages` (type, body) and returns whether the last one ended the answer.
bool feed(auth_query_reader& reader, std::initializer_list<std::pair<char, std::string>> messages) {
    bool done = false;
    for (const auto& [type, body] : messages)
        done = reader.read(type, body);
    return done;
}

TEST(auth_query_messages, TheUserNameTravelsAsTheOneParameterNeverInTheText) {
    const std::string user = "o'brien\"; DROP TABLE x";
    const std::string messages = build_auth_query("SELECT usename, passwd FROM f($1)", user);
    const std::string parse = protocol::message_builder('P')
                                  .cstring("")
                                  .cstring("SELECT usename, passwd FROM f($1)")
                                  .u8(0)
                                  .u8(0)
                                  .finish();
    const std::string bind = protocol::message_builder('B')
                                 .cstring("")
                                 .cstring("")
                                 .u8(0)
                                 .u8(0)
                                 .u8(0)
                                 .u8(1)
                                 .u32(static_cast<std::uint32_t>(user.size()))
                                 .bytes(user)
                                 .u8(0)
                                 .u8(0)
                                 .finish();
    const std::string execute = protocol::message_builder('E').cstring("").u32(0).finish();
    const std::string sync = protocol::message_builder('S').finish();
    EXPECT_EQ(messages, parse + bind + execute + sync);
}

TEST(auth_query_messages, ARowGivesThePasswordAndNoRowNoSuchUser) {
    auth_query_reader found;
    EXPECT_TRUE(feed(found, {{'1', ""},
                             {'2', ""},
                             {'D', data_row({"alice", "md5abc"})},
                             {'C', "SELECT 1"},
                             {'Z', "I"}}));
    EXPECT_EQ(found.failed(), "");
    ASSERT_TRUE(found.row());
    EXPECT_EQ(found.row()->password, "md5abc");

    auth_query_reader null_password;
    EXPECT_TRUE(feed(null_password, {{'D', data_row({"bob", std::nullopt})}, {'Z', "I"}}));
    ASSERT_TRUE(null_password.row());
    EXPECT_FALSE(null_password.row()->password);

    auth_query_reader missing;
    EXPECT_FALSE(feed(missing, {{'1', ""}, {'2', ""}, {'C', "SELECT 0"}}));
    EXPECT_TRUE(missing.read('Z', "I"));
    EXPECT_EQ(missing.failed(), "");
    EXPECT_FALSE(missing.row());
}

TEST(auth_query_messages, AnswersThatCannotBeUsedSayWhy) {
    auth_query_reader two_rows;
    feed(two_rows, {{'D', data_row({"a", "x"})}, {'D', data_row({"a", "y"})}, {'Z', "I"}});
    EXPECT_EQ(two_rows.failed(), "auth_query returned more than one row");
    EXPECT_FALSE(two_rows.row());

    auth_query_reader one_column;
    feed(one_column, {{'D', data_row({"a"})}, {'Z', "I"}});
    EXPECT_EQ(one_column.failed(),
              "auth_query returned 1 column(s); it must return the user name and the password");

    auth_query_reader truncated;
    feed(truncated, {{'D', data_row({"a", "secret"}).substr(0, 12)}, {'Z', "I"}});
    EXPECT_EQ(truncated.failed(), "auth_query's answer has a malformed DataRow");

    auth_query_reader refused;
    const std::string error = protocol::build_error_response(
        {protocol::severity::error, "42501", "permission denied for view pg_shadow", "", ""});
    feed(refused, {{'E', error.substr(5)}, {'Z', "I"}});
    EXPECT_EQ(refused.failed(),
              "auth_query failed: permission denied for view pg_shadow (SQLSTATE 42501)");

    // Found by fuzz_auth_query: a row, then the node's error (the statement failed after it).
    auth_query_reader row_then_error;
    feed(row_then_error, {{'D', data_row({"a", "x"})}, {'E', error.substr(5)}, {'Z', "I"}});
    EXPECT_FALSE(row_then_error.failed().empty());
    EXPECT_FALSE(row_then_error.row());

    auth_query_reader empty;
    feed(empty, {{'I', ""}, {'Z', "I"}});
    EXPECT_EQ(empty.failed(), "auth_query is empty");
}

}  // namespace
}  // namespace pgroute::proxy::auth
