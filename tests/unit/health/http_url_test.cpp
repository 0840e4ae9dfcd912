#include "health/patroni/http_url.h"

#include <gtest/gtest.h>

namespace pgroute::health {
namespace {

TEST(parse_http_url, ReadsHostPortAndBasePath) {
    EXPECT_EQ(*parse_http_url("http://127.0.0.1:8008"), (http_url{"127.0.0.1", 8008, ""}));
    EXPECT_EQ(*parse_http_url("http://pg1.example:8008/"), (http_url{"pg1.example", 8008, ""}));
    EXPECT_EQ(*parse_http_url("http://gateway/patroni-pg1/"),
              (http_url{"gateway", 80, "/patroni-pg1"}));
}

TEST(parse_http_url, ReadsBracketedIpv6) {
    const auto url = parse_http_url("http://[::1]:8008");
    ASSERT_TRUE(url) << url.error();
    EXPECT_EQ(*url, (http_url{"::1", 8008, ""}));
    EXPECT_EQ(host_header(*url), "[::1]:8008");
}

TEST(parse_http_url, ReadsHttpsWithItsOwnDefaultPort) {
    const auto url = parse_http_url("https://127.0.0.1:8008/api");
    ASSERT_TRUE(url) << url.error();
    EXPECT_EQ(*url, (http_url{"127.0.0.1", 8008, "/api", true}));
    const auto without_port = parse_http_url("https://patroni.example");
    ASSERT_TRUE(without_port) << without_port.error();
    EXPECT_EQ((*without_port).port, 443);
    EXPECT_TRUE((*without_port).tls);
    EXPECT_FALSE((*parse_http_url("http://127.0.0.1:8008")).tls);
}

TEST(parse_http_url, RejectsMalformedUrls) {
    for (const char* bad : {"", "127.0.0.1:8008", "http://", "http://:8008", "http://h:0",
                            "http://h:65536", "http://h:80x", "http://h:", "http://u:p@h:8008",
                            "http://h/x?y", "http://[::1", "ftp://h:21", "https://u:p@h:8008"}) {
        EXPECT_FALSE(parse_http_url(bad)) << bad;
    }
}

// An api_url from GET /cluster goes into the request line and the Host header as it is, so a
// space or a line break in it would forge headers or a second request; found by fuzz_patroni_url.
TEST(parse_http_url, RejectsWhatIsNotVisibleAscii) {
    using namespace std::string_literals;
    for (const std::string& bad : {"http://g1.eq\0\0\0g1.ex8"s, "http://h\r\nX-Forged: 1"s,
                                   "http://h/x HTTP/1.1\r\n\r\nGET /"s, "http://h/a\tb"s,
                                   "http://h/\x7f"s, "http://h/caf\xc3\xa9"s, "http:// h:8008"s}) {
        const auto url = parse_http_url(bad);
        EXPECT_FALSE(url) << bad;
    }
}

}  // namespace
}  // namespace pgroute::health
