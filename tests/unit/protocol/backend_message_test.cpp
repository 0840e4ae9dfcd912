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

}  // namespace
}  // namespace pgroute::protocol
