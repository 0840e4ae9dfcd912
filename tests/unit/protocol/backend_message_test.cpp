#include "protocol/backend_message.h"

#include <gtest/gtest.h>

#include <string>

namespace pgroute::protocol {
namespace {

using namespace std::literals;

TEST(ready_for_query, ReadsIdle) {
    EXPECT_EQ(parse_ready_for_query("I"), transaction_status::idle);
}

TEST(ready_for_query, ReadsInTransaction) {
    EXPECT_EQ(parse_ready_for_query("T"), transaction_status::in_transaction);
}

TEST(ready_for_query, ReadsFailedTransaction) {
    EXPECT_EQ(parse_ready_for_query("E"), transaction_status::failed);
}

TEST(ready_for_query, RejectsAnUnknownStatusByte) {
    EXPECT_FALSE(parse_ready_for_query("X").has_value());
    EXPECT_FALSE(parse_ready_for_query("i").has_value());
    EXPECT_FALSE(parse_ready_for_query("\0"sv).has_value());
}

TEST(ready_for_query, RejectsABodyThatIsNotOneByte) {
    EXPECT_FALSE(parse_ready_for_query("").has_value());
    EXPECT_FALSE(parse_ready_for_query("II").has_value());
}

}  // namespace
}  // namespace pgroute::protocol
