#include <gtest/gtest.h>

#include <random>

#include "proxy/admin/http_codec.h"

namespace pgroute::proxy {
namespace {

TEST(admin_http_codec, ParsesAGetWithHeaders) {
    const auto p =
        parse_http_request("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:5553\r\nAccept: */*\r\n\r\n");
    ASSERT_EQ(p.progress, request_progress::complete);
    EXPECT_EQ(p.request.method, "GET");
    EXPECT_EQ(p.request.path, "/metrics");
    EXPECT_EQ(p.request.query, "");
}

TEST(admin_http_codec, SplitsTheQueryStringOffThePath) {
    const auto p = parse_http_request("GET /topology?pretty=1 HTTP/1.0\r\n\r\n");
    ASSERT_EQ(p.progress, request_progress::complete);
    EXPECT_EQ(p.request.path, "/topology");
    EXPECT_EQ(p.request.query, "pretty=1");
}

TEST(admin_http_codec, AcceptsBareLineFeeds) {
    EXPECT_EQ(parse_http_request("GET / HTTP/1.1\nHost: x\n\n").progress,
              request_progress::complete);
}

TEST(admin_http_codec, WaitsForTheEmptyLineThatEndsTheHead) {
    EXPECT_EQ(parse_http_request("").progress, request_progress::incomplete);
    EXPECT_EQ(parse_http_request("GET /metrics HT").progress, request_progress::incomplete);
    EXPECT_EQ(parse_http_request("GET /metrics HTTP/1.1\r\nHost: x\r\n").progress,
              request_progress::incomplete);
}

TEST(admin_http_codec, RejectsMalformedRequestLinesWith400) {
    for (const char* bad : {"GET\r\n\r\n", "GET /\r\n\r\n", "GET  /metrics HTTP/1.1\r\n\r\n",
                            "G(T / HTTP/1.1\r\n\r\n", "GET metrics HTTP/1.1\r\n\r\n",
                            "GET http://x/metrics HTTP/1.1\r\n\r\n", "GET / FTP/1.1\r\n\r\n",
                            "\r\n\r\n", "GET /a\x01 HTTP/1.1\r\n\r\n"}) {
        const auto p = parse_http_request(bad);
        EXPECT_EQ(p.progress, request_progress::invalid) << bad;
        EXPECT_EQ(p.error_status, 400) << bad;
    }
}

TEST(admin_http_codec, RejectsMalformedHeadersWith400) {
    for (const char* bad :
         {"GET / HTTP/1.1\r\nno colon here\r\n\r\n", "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
          "GET / HTTP/1.1\r\n: empty name\r\n\r\n"}) {
        const auto p = parse_http_request(bad);
        EXPECT_EQ(p.progress, request_progress::invalid) << bad;
        EXPECT_EQ(p.error_status, 400) << bad;
    }
    const std::string nul_in_value("GET / HTTP/1.1\r\nX: a\0b\r\n\r\n", 26);
    EXPECT_EQ(parse_http_request(nul_in_value).error_status, 400);
}

// Found by fuzz_admin_request: "HTTP/1." and any byte was taken for a version.
TEST(admin_http_codec, RejectsAVersionThatIsNotDigitsWith400) {
    for (const char* bad : {"GET / HTTP/1.\x19\r\n\r\n", "GET / HTTP/1.x\r\n\r\n",
                            "GET / HTTP/\r\n\r\n", "GET / HTTP/one\r\n\r\n"}) {
        const auto p = parse_http_request(bad);
        EXPECT_EQ(p.progress, request_progress::invalid) << bad;
        EXPECT_EQ(p.error_status, 400) << bad;
    }
}

TEST(admin_http_codec, AnswersOtherHttpVersionsWith505) {
    EXPECT_EQ(parse_http_request("GET / HTTP/2.0\r\n\r\n").error_status, 505);
    EXPECT_EQ(parse_http_request("GET / HTTP/1.12\r\n\r\n").error_status, 505);
}

TEST(admin_http_codec, RefusesAnOversizedHead) {
    const std::string long_line = "GET /" + std::string(max_request_head_bytes, 'a');
    EXPECT_EQ(parse_http_request(long_line).error_status, 414);
    std::string many_headers = "GET / HTTP/1.1\r\n";
    while (many_headers.size() <= max_request_head_bytes)
        many_headers += "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    EXPECT_EQ(parse_http_request(many_headers).error_status, 431);
    EXPECT_EQ(parse_http_request(many_headers + "\r\n").error_status, 431);
}

TEST(admin_http_codec, RandomBytesNeverCrashAndNeverParseAsARequestWithoutAnEmptyLine) {
    std::mt19937 rng(1234);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<std::size_t> length(0, 300);
    for (int i = 0; i < 10000; ++i) {
        std::string bytes(length(rng), '\0');
        for (auto& c : bytes)
            c = static_cast<char>(byte(rng));
        const auto p = parse_http_request(bytes);
        if (p.progress == request_progress::complete) {
            EXPECT_TRUE(bytes.find("\n\n") != std::string::npos ||
                        bytes.find("\n\r\n") != std::string::npos);
            EXPECT_TRUE(p.request.path.starts_with("/"));
        }
    }
}

TEST(admin_http_codec, FormatsAResponseThatClosesTheConnection) {
    const auto text = format_http_response({200, "text/plain", "ok\n", ""}, false);
    EXPECT_EQ(text,
              "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
              "Cache-Control: no-store\r\nConnection: close\r\n\r\nok\n");
}

TEST(admin_http_codec, HeadResponsesKeepTheLengthButDropTheBody) {
    const auto text = format_http_response({200, "text/plain", "ok\n", ""}, true);
    EXPECT_NE(text.find("Content-Length: 3\r\n"), std::string::npos);
    EXPECT_TRUE(text.ends_with("\r\n\r\n"));
}

TEST(admin_http_codec, A405SaysWhatIsAllowed) {
    const auto text = format_http_response({405, "text/plain", "no\n", "GET, HEAD"}, false);
    EXPECT_TRUE(text.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"));
    EXPECT_NE(text.find("Allow: GET, HEAD\r\n"), std::string::npos);
}

}  // namespace
}  // namespace pgroute::proxy
