#include <gtest/gtest.h>

#include "health/patroni/timestamp.h"

namespace pgroute::health {
namespace {

using namespace std::chrono;

system_clock::time_point utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
    return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

TEST(parse_patroni_timestamp, ReadsPythonsStrOfAnAwareDatetime) {
    const auto parsed = parse_patroni_timestamp("2024-01-01 12:00:00.123456+00:00");
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, utc(2024, 1, 1, 12, 0, 0) + microseconds{123456});
}

TEST(parse_patroni_timestamp, ReadsTheFormWithoutFraction) {
    EXPECT_EQ(parse_patroni_timestamp("2024-02-29 23:59:59+00:00"), utc(2024, 2, 29, 23, 59, 59));
}

TEST(parse_patroni_timestamp, AppliesTheUtcOffset) {
    EXPECT_EQ(parse_patroni_timestamp("2024-01-01 14:30:00+02:30"), utc(2024, 1, 1, 12, 0, 0));
    EXPECT_EQ(parse_patroni_timestamp("2023-12-31 23:00:00-01:00"), utc(2024, 1, 1, 0, 0, 0));
}

TEST(parse_patroni_timestamp, AcceptsIsoFormatWithTAndZ) {
    EXPECT_EQ(parse_patroni_timestamp("2024-01-01T12:00:00Z"), utc(2024, 1, 1, 12, 0, 0));
}

TEST(parse_patroni_timestamp, RejectsNonTimestamps) {
    for (const char* text :
         {"", "null", "2024-01-01", "2024-01-01 12:00:00", "2024-02-30 12:00:00+00:00",
          "2024-01-01 24:00:00+00:00", "2024-01-01 12:00:00.+00:00", "2024-01-01 12:00:00+0000",
          "2024-01-01 12:00:00+00:00 ", "2024-1-01 12:00:00+00:00"}) {
        EXPECT_FALSE(parse_patroni_timestamp(text)) << text;
    }
}

// system_clock counts nanoseconds in 64 bits, from 1677 to 2262; found by fuzz_patroni_timestamp.
TEST(parse_patroni_timestamp, RejectsYearsTheClockCannotHold) {
    for (const char* text : {"2824-01-01 12:00:00.123456+00:00", "9999-12-31 23:59:59+00:00",
                             "1000-01-01 00:00:00Z", "0000-01-01 00:00:00-23:59"}) {
        EXPECT_FALSE(parse_patroni_timestamp(text)) << text;
    }
    EXPECT_EQ(parse_patroni_timestamp("2262-01-01 00:00:00Z"), utc(2262, 1, 1, 0, 0, 0));
    EXPECT_EQ(parse_patroni_timestamp("1678-01-01 00:00:00Z"), utc(1678, 1, 1, 0, 0, 0));
}

}  // namespace
}  // namespace pgroute::health
