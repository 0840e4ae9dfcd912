#include "protocol/byte_reader.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace pgroute::protocol {
namespace {

using namespace std::string_view_literals;

TEST(byte_reader, ReadsEachFieldKindInBigEndianOrder) {
    byte_reader reader(
        "\x7f\x01\x02\x03\x04\xff\xff\xff\xfe"
        "name\0"
        "abcrest"sv);
    EXPECT_EQ(reader.u8(), 0x7fu);
    EXPECT_EQ(reader.u32(), 0x01020304u);
    EXPECT_EQ(reader.i32(), -2);
    EXPECT_EQ(reader.cstring(), "name");
    EXPECT_EQ(reader.bytes(3), "abc");
    EXPECT_EQ(reader.remaining(), 4u);
    EXPECT_FALSE(reader.at_end());
    EXPECT_EQ(reader.rest(), "rest");
    EXPECT_TRUE(reader.at_end());
    EXPECT_FALSE(reader.failed());
}

TEST(byte_reader, ReadsAnEmptyCString) {
    byte_reader reader("\0"sv);
    EXPECT_EQ(reader.cstring(), "");
    EXPECT_TRUE(reader.at_end());
}

TEST(byte_reader, ReturnsViewsIntoItsInput) {
    const auto data = "key\0value"sv;
    byte_reader reader(data);
    EXPECT_EQ(reader.cstring().data(), data.data());
    EXPECT_EQ(reader.rest().data(), data.data() + 4);
}

TEST(byte_reader, ReadsZeroBytesAtTheEndWithoutFailing) {
    byte_reader reader("ab");
    EXPECT_EQ(reader.bytes(2), "ab");
    EXPECT_EQ(reader.bytes(0), "");
    EXPECT_EQ(reader.rest(), "");
    EXPECT_TRUE(reader.at_end());
    EXPECT_FALSE(reader.failed());
}

TEST(byte_reader, LoadsABigEndianWord) {
    EXPECT_EQ(load_u32("\x04\xd2\x16\x2f"), 80877103u);
    EXPECT_EQ(load_u32("\xff\xff\xff\xff"), 0xffffffffu);
}

// A read that runs past the end of "a\0c". Most cases fail with bytes still unread, a NUL among
// them, so a later read (even a cstring) that would fit them must return nothing all the same.
struct overrun_case {
    std::string_view name;
    std::function<void(byte_reader&)> read;
};

class byte_reader_overrun : public ::testing::TestWithParam<overrun_case> {};

TEST_P(byte_reader_overrun, MarksTheReaderFailedAndLaterReadsReturnNothing) {
    byte_reader reader("a\0c"sv);
    GetParam().read(reader);
    EXPECT_TRUE(reader.failed());
    EXPECT_FALSE(reader.at_end());
    EXPECT_EQ(reader.remaining(), 0u);
    EXPECT_EQ(reader.u8(), 0u);
    EXPECT_EQ(reader.u32(), 0u);
    EXPECT_EQ(reader.i32(), 0);
    EXPECT_EQ(reader.cstring(), "");
    EXPECT_EQ(reader.bytes(1), "");
    EXPECT_EQ(reader.bytes(0), "");
    EXPECT_EQ(reader.rest(), "");
    EXPECT_TRUE(reader.failed());
}

INSTANTIATE_TEST_SUITE_P(
    EveryReader, byte_reader_overrun,
    ::testing::Values(overrun_case{"U32", [](byte_reader& r) { EXPECT_EQ(r.u32(), 0u); }},
                      overrun_case{"I32", [](byte_reader& r) { EXPECT_EQ(r.i32(), 0); }},
                      overrun_case{"CStringWithoutNul",
                                   [](byte_reader& r) {
                                       EXPECT_EQ(r.cstring(), "a");
                                       EXPECT_EQ(r.cstring(), "");
                                   }},
                      overrun_case{"BytesPastTheEnd",
                                   [](byte_reader& r) { EXPECT_EQ(r.bytes(4), ""); }},
                      overrun_case{"BytesOfHugeCount",
                                   [](byte_reader& r) { EXPECT_EQ(r.bytes(~std::size_t{0}), ""); }},
                      overrun_case{"U8AfterTheLastByte",
                                   [](byte_reader& r) {
                                       EXPECT_EQ(r.bytes(3), "a\0c"sv);
                                       EXPECT_EQ(r.u8(), 0u);
                                   }}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(byte_reader, StartsAtTheEndOfAnEmptyInputAndFailsItsFirstRead) {
    byte_reader reader("");
    EXPECT_TRUE(reader.at_end());
    EXPECT_EQ(reader.u8(), 0u);
    EXPECT_TRUE(reader.failed());
    EXPECT_FALSE(reader.at_end());
}

}  // namespace
}  // namespace pgroute::protocol
