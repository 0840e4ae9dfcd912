// The lengths a frame header may carry: too small to count itself, up to and beyond the maximum.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "protocol/frame_scanner.h"
#include "protocol/message_type.h"
#include "tests/unit/protocol/frame_fixtures.h"

namespace pgroute::protocol {
namespace {

using namespace fixtures;

class frame_scanner_too_small : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(frame_scanner_too_small, RejectsALengthThatCannotCountItself) {
    frame_scanner scanner(pq_large_message_limit);
    recorder seen;
    const std::string good = frame('D', "row");
    const std::string data = good + header('D', GetParam()) + std::string(8, 'x');
    const auto result = scanner.scan(data, 1024, seen);
    EXPECT_EQ(result.error, frame_error::length_too_small);
    EXPECT_EQ(result.forward, good.size());
    EXPECT_EQ(seen.frames.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(LengthsZeroToThree, frame_scanner_too_small,
                         ::testing::Values(0u, 1u, 2u, 3u));

TEST(frame_scanner, AcceptsALengthEqualToTheMaximum) {
    frame_scanner scanner(104);
    recorder seen;
    const std::string data = frame('D', std::string(100, 'x'));
    const auto result = scanner.scan(data, 1024, seen);
    EXPECT_EQ(result.error, frame_error::none);
    EXPECT_EQ(result.forward, data.size());
}

TEST(frame_scanner, RejectsALengthAboveTheMaximum) {
    frame_scanner scanner(104);
    recorder seen;
    const std::string good = frame('D', "row");
    const std::string data = good + frame('D', std::string(101, 'x'));
    const auto result = scanner.scan(data, 1024, seen);
    EXPECT_EQ(result.error, frame_error::length_too_large);
    EXPECT_EQ(result.forward, good.size());
    EXPECT_EQ(seen.frames.size(), 1u);
}

TEST(frame_scanner, RejectsLengthTwoToThe31MinusOneUnderPostgresLimit) {
    frame_scanner scanner(pq_large_message_limit);
    recorder seen;
    const auto result = scanner.scan(header('d', 0x7fffffff), 1024, seen);
    EXPECT_EQ(result.error, frame_error::length_too_large);
    EXPECT_EQ(result.forward, 0u);
}

TEST(frame_scanner, RejectsLengthAllOnesUnderPostgresLimit) {
    frame_scanner scanner(pq_large_message_limit);
    recorder seen;
    const auto result = scanner.scan(header('d', 0xffffffff), 1024, seen);
    EXPECT_EQ(result.error, frame_error::length_too_large);
}

TEST(frame_scanner, StreamsLengthTwoToThe31MinusOneWhenTheMaximumAllowsIt) {
    frame_scanner scanner(0xffffffff);
    recorder seen;
    const std::string data = header(PqMsg_ErrorResponse, 0x7fffffff) + "xyz";
    const auto result = scanner.scan(data, 1024, seen);
    EXPECT_EQ(result.error, frame_error::none);
    EXPECT_EQ(result.forward, data.size());
    ASSERT_EQ(seen.frames.size(), 1u);
    EXPECT_EQ(seen.frames[0].first.length, 0x7fffffffu);
    EXPECT_EQ(seen.frames[0].first.body_size(), 0x7fffffffu - 4);
    EXPECT_EQ(seen.frames[0].second, "xyz");
    EXPECT_FALSE(scanner.at_frame_boundary());
}

TEST(frame_scanner, StreamsLengthAllOnesWithoutOverflow) {
    frame_scanner scanner(0xffffffff);
    recorder seen;
    const std::string data = header('d', 0xffffffff);
    const auto result = scanner.scan(data, 1024, seen);
    EXPECT_EQ(result.error, frame_error::none);
    EXPECT_EQ(result.forward, data.size());
    ASSERT_EQ(seen.frames.size(), 1u);
    EXPECT_EQ(seen.frames[0].first.frame_size(), std::size_t{0x100000000});
    EXPECT_FALSE(scanner.at_frame_boundary());
}

TEST(frame_scanner, DescribesEachErrorDistinctly) {
    EXPECT_EQ(to_string(frame_error::none), "none");
    EXPECT_EQ(to_string(frame_error::length_too_small), "message length below 4");
    EXPECT_EQ(to_string(frame_error::length_too_large),
              "message length above the configured maximum");
}

}  // namespace
}  // namespace pgroute::protocol
