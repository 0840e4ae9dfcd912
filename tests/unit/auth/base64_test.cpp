#include "proxy/auth/base64.h"

#include <gtest/gtest.h>

#include "proxy/auth/crypto.h"

namespace pgroute::proxy::auth {
namespace {

std::string text_of(const std::vector<std::uint8_t>& bytes) {
    return {bytes.begin(), bytes.end()};
}

TEST(base64, EncodesTheRfc4648Vectors) {
    EXPECT_EQ(base64_encode(bytes_of("")), "");
    EXPECT_EQ(base64_encode(bytes_of("f")), "Zg==");
    EXPECT_EQ(base64_encode(bytes_of("fo")), "Zm8=");
    EXPECT_EQ(base64_encode(bytes_of("foo")), "Zm9v");
    EXPECT_EQ(base64_encode(bytes_of("foobar")), "Zm9vYmFy");
    EXPECT_EQ(base64_encode(bytes_of("n,,")), "biws");
}

TEST(base64, DecodesWhatItEncodes) {
    for (std::string_view text :
         {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe\x00"}) {
        const auto decoded = base64_decode(base64_encode(bytes_of(text)));
        ASSERT_TRUE(decoded) << text;
        EXPECT_EQ(text_of(*decoded), text);
    }
    EXPECT_EQ(text_of(*base64_decode("+/+/")), "\xfb\xff\xbf");
}

TEST(base64, RefusesWhatIsNotPaddedBase64) {
    for (std::string_view text : {"Zg", "Zg=", "Z===", "====", "Zg==Zg==", "Z=g=", "Zm9v\n",
                                  " Zm9v", "Zm9-", "Zm9_", "Zm\0v"}) {
        EXPECT_FALSE(base64_decode(text)) << text;
    }
}

}  // namespace
}  // namespace pgroute::proxy::auth
