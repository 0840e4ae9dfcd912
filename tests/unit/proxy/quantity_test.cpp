#include "proxy/config/quantity.h"

#include <gtest/gtest.h>

namespace pgroute::proxy {
namespace {

using namespace std::chrono_literals;

TEST(parse_size, BareNumberIsBytes) {
    const auto size = parse_size("1048576");
    ASSERT_TRUE(size) << size.error();
    EXPECT_EQ(*size, 1048576u);
}

TEST(parse_size, UnitsAre1024BasedWithPostgresqlSpelling) {
    EXPECT_EQ(*parse_size("0B"), 0u);
    EXPECT_EQ(*parse_size("16kB"), 16u * 1024);
    EXPECT_EQ(*parse_size("1MB"), 1024u * 1024);
    EXPECT_EQ(*parse_size("1GB"), 1024ull * 1024 * 1024);
    EXPECT_EQ(*parse_size("1TB"), 1024ull * 1024 * 1024 * 1024);
}

TEST(parse_size, AllowsWhitespaceBetweenNumberAndUnitAsPostgresqlDoes) {
    EXPECT_EQ(*parse_size("16 kB"), 16u * 1024);
}

TEST(parse_size, RejectsUnitsInTheWrongCaseNamingTheValidOnes) {
    const auto size = parse_size("1mb");
    ASSERT_FALSE(size);
    EXPECT_EQ(size.error(), "invalid size \"1mb\": unknown unit \"mb\" (use B, kB, MB, GB or TB)");
}

TEST(parse_size, RejectsJunk) {
    for (const char* junk : {"", "MB", "abc", "1MBx", "+1MB", " 1MB", "1 MB ", "0x10"}) {
        EXPECT_FALSE(parse_size(junk)) << junk;
    }
}

TEST(parse_size, RejectsNegativeWithAClearMessage) {
    const auto size = parse_size("-1MB");
    ASSERT_FALSE(size);
    EXPECT_NE(size.error().find("must not be negative"), std::string::npos) << size.error();
}

TEST(parse_size, RejectsFractions) {
    const auto size = parse_size("1.5GB");
    ASSERT_FALSE(size);
    EXPECT_NE(size.error().find("whole number"), std::string::npos) << size.error();
}

TEST(parse_size, RejectsOverflowOfTheNumberAndOfTheMultiplication) {
    EXPECT_EQ(*parse_size("18446744073709551615"), 18446744073709551615u);
    EXPECT_FALSE(parse_size("18446744073709551616"));
    EXPECT_EQ(*parse_size("16777215TB"), 16777215ull << 40);
    const auto size = parse_size("16777216TB");
    ASSERT_FALSE(size);
    EXPECT_NE(size.error().find("too large"), std::string::npos) << size.error();
}

TEST(parse_duration, ReadsEveryUnit) {
    EXPECT_EQ(*parse_duration("500ms"), 500ms);
    EXPECT_EQ(*parse_duration("1s"), 1s);
    EXPECT_EQ(*parse_duration("2m"), 2min);
    EXPECT_EQ(*parse_duration("2min"), 2min);
    EXPECT_EQ(*parse_duration("1h"), 1h);
    EXPECT_EQ(*parse_duration("1d"), 24h);
    EXPECT_EQ(*parse_duration("0s"), 0ms);
}

TEST(parse_duration, RequiresAUnit) {
    const auto duration = parse_duration("10");
    ASSERT_FALSE(duration);
    EXPECT_EQ(duration.error(),
              "invalid duration \"10\": missing unit (use ms, s, m, min, h or d)");
}

TEST(parse_duration, RejectsJunkNegativeAndOverflow) {
    EXPECT_FALSE(parse_duration("1 sec"));
    EXPECT_FALSE(parse_duration("-1s"));
    EXPECT_FALSE(parse_duration("1.5s"));
    EXPECT_FALSE(parse_duration("s"));
    EXPECT_FALSE(parse_duration("18446744073709551615d"));
    EXPECT_FALSE(parse_duration("9223372036854775808ms"));
}

}  // namespace
}  // namespace pgroute::proxy
