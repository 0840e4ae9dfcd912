#include "health/patroni/http_codec.h"

#include <gtest/gtest.h>

#include "health/patroni/api_access.h"

namespace pgroute::health {
namespace {

TEST(format_request, SendsHostAndConnectionClose) {
    EXPECT_EQ(format_request(http_method::get, {"10.0.0.1", 8008, "/base"}, "/patroni"),
              "GET /base/patroni HTTP/1.1\r\nHost: 10.0.0.1:8008\r\n"
              "Accept: application/json\r\nConnection: close\r\nUser-Agent: pgroute\r\n\r\n");
}

TEST(format_request, SendsBasicAuthWhenGivenCredentials) {
    const std::string authorization = basic_authorization("Aladdin", "open sesame");
    EXPECT_EQ(authorization, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");  // RFC 7617's example
    EXPECT_EQ(format_request(http_method::get, {"10.0.0.1", 8008, ""}, "/cluster", authorization),
              "GET /cluster HTTP/1.1\r\nHost: 10.0.0.1:8008\r\n"
              "Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n"
              "Accept: application/json\r\nConnection: close\r\nUser-Agent: pgroute\r\n\r\n");
}

TEST(basic_authorization, PadsEveryRemainderLength) {
    EXPECT_EQ(basic_authorization("a", ""), "Basic YTo=");
    EXPECT_EQ(basic_authorization("ab", ""), "Basic YWI6");
    EXPECT_EQ(basic_authorization("abc", ""), "Basic YWJjOg==");
}

TEST(parse_http_response, APatroniAnswerWithoutContentLengthEndsAtTheClose) {
    const std::string bytes =
        "HTTP/1.0 200 OK\r\nServer: BaseHTTP/0.6 Python/3.11.2\r\n"
        "Content-Type: application/json\r\n\r\n{\"state\": \"running\"}";
    EXPECT_EQ(parse_http_response(bytes, false).progress, response_progress::incomplete);
    const parsed_response parsed = parse_http_response(bytes, true);
    ASSERT_EQ(parsed.progress, response_progress::complete) << parsed.error;
    EXPECT_EQ(parsed.status_code, 200);
    EXPECT_EQ(parsed.body, "{\"state\": \"running\"}");
}

TEST(parse_http_response, ContentLengthEndsTheBodyBeforeTheClose) {
    const std::string bytes = "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n{}{}trailing";
    const parsed_response parsed = parse_http_response(bytes, false);
    ASSERT_EQ(parsed.progress, response_progress::complete) << parsed.error;
    EXPECT_EQ(parsed.body, "{}{}");
}

TEST(parse_http_response, WaitsForTheRestOfAContentLengthBody) {
    const std::string bytes = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}";
    EXPECT_EQ(parse_http_response(bytes, false).progress, response_progress::incomplete);
    const parsed_response truncated = parse_http_response(bytes, true);
    EXPECT_EQ(truncated.progress, response_progress::invalid);
    EXPECT_EQ(truncated.error, "body truncated: 2 of 10 bytes");
}

TEST(parse_http_response, WaitsForTheEndOfTheHeaders) {
    EXPECT_EQ(parse_http_response("HTTP/1.0 200 OK\r\nContent-Ty", false).progress,
              response_progress::incomplete);
    EXPECT_EQ(parse_http_response("HTTP/1.0 200 OK\r\nContent-Ty", true).progress,
              response_progress::invalid);
}

TEST(parse_http_response, ReportsTheStatusOfAnError) {
    const parsed_response parsed =
        parse_http_response("HTTP/1.0 503 Service Unavailable\r\n\r\n{}", true);
    ASSERT_EQ(parsed.progress, response_progress::complete);
    EXPECT_EQ(parsed.status_code, 503);
}

TEST(parse_http_response, RejectsWhatItCannotRead) {
    for (const char* bytes : {"garbage\r\n\r\n", "HTTP/1.0 2000 OK\r\n\r\n", "HTTP/2 200\r\n\r\n",
                              "HTTP/1.0 20x OK\r\n\r\n", "HTTP/1.0 200 OK\r\nno colon\r\n\r\n",
                              "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                              "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                              "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n"}) {
        EXPECT_EQ(parse_http_response(bytes, true).progress, response_progress::invalid) << bytes;
    }
}

TEST(parse_http_response, AcceptsAStatusLineWithoutReason) {
    const parsed_response parsed = parse_http_response("HTTP/1.1 200\r\n\r\n{}", true);
    ASSERT_EQ(parsed.progress, response_progress::complete) << parsed.error;
    EXPECT_EQ(parsed.status_code, 200);
}

}  // namespace
}  // namespace pgroute::health
