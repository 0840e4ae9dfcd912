#include "health/patroni/http_get.h"

#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <optional>

#include "fake_http_server.h"

namespace pgroute::health {
namespace {

using namespace std::chrono_literals;
using testing::FakeHttpServer;

class HttpGet : public ::testing::Test {
  protected:
    HttpResult get(const std::string& url, const std::string& path,
                   std::chrono::milliseconds timeout = 2s,
                   std::size_t max_bytes = default_max_response_bytes) {
        std::optional<HttpResult> result;
        asio::co_spawn(io_, http_get(*parse_http_url(url), path, timeout, {}, max_bytes),
                       [&](std::exception_ptr error, HttpResult answer) {
                           EXPECT_FALSE(error);
                           result = std::move(answer);
                       });
        EXPECT_TRUE(testing::run_until(io_, [&] { return result.has_value(); }));
        return result.value_or(HttpResult{});
    }

    asio::io_context io_;
};

TEST_F(HttpGet, ReadsAPatroniAnswerThatEndsAtTheClose) {
    FakeHttpServer server(io_);
    server.answer("/patroni", 200, R"({"state": "running"})");
    const HttpResult result = get(server.url(), "/patroni");
    EXPECT_EQ(result.outcome, PollOutcome::ok) << result.error;
    EXPECT_EQ(result.status_code, 200);
    EXPECT_EQ(result.body, R"({"state": "running"})");
}

TEST_F(HttpGet, SendsAnHttp11GetWithHostAndConnectionClose) {
    FakeHttpServer server(io_);
    server.answer("/patroni", 200, "{}");
    (void)get(server.url(), "/patroni");
    EXPECT_EQ(
        server.last_request(),
        "GET /patroni HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(server.port()) +
            "\r\nAccept: application/json\r\nConnection: close\r\nUser-Agent: pgroute\r\n\r\n");
}

TEST_F(HttpGet, ReadsAContentLengthBody) {
    FakeHttpServer server(io_);
    server.answer_raw("/cluster", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
    const HttpResult result = get(server.url(), "/cluster");
    EXPECT_EQ(result.outcome, PollOutcome::ok) << result.error;
    EXPECT_EQ(result.body, "{}");
}

TEST_F(HttpGet, AServerErrorIsAnHttpErrorWithItsStatus) {
    FakeHttpServer server(io_);
    server.answer("/patroni", 500, "oops");
    const HttpResult result = get(server.url(), "/patroni");
    EXPECT_EQ(result.outcome, PollOutcome::http_error);
    EXPECT_EQ(result.status_code, 500);
    EXPECT_EQ(result.error, "HTTP status 500");
}

TEST_F(HttpGet, GarbageInsteadOfHttpIsAnHttpError) {
    FakeHttpServer server(io_);
    server.answer_raw("/patroni", std::string("\x00\xff garbage\r\n\r\n", 14));
    const HttpResult result = get(server.url(), "/patroni");
    EXPECT_EQ(result.outcome, PollOutcome::http_error);
    EXPECT_EQ(result.error, "malformed status line");
}

TEST_F(HttpGet, AResponseOverTheCapIsAnHttpError) {
    FakeHttpServer server(io_);
    server.answer("/patroni", 200, std::string(2 << 20, 'x'));
    const HttpResult result = get(server.url(), "/patroni", 2s, 1 << 20);
    EXPECT_EQ(result.outcome, PollOutcome::http_error);
    EXPECT_EQ(result.error, "response larger than 1048576 bytes");
}

TEST_F(HttpGet, AResponseExactlyAtTheCapIsRead) {
    FakeHttpServer server(io_);
    const std::string head = "HTTP/1.0 200 OK\r\n\r\n";
    server.answer_raw("/patroni", head + std::string(1000 - head.size(), 'x'));
    EXPECT_EQ(get(server.url(), "/patroni", 2s, 1000).outcome, PollOutcome::ok);
}

TEST_F(HttpGet, ASilentServerTimesOutWithinTheDeadline) {
    FakeHttpServer server(io_);
    server.stay_silent();
    const auto start = std::chrono::steady_clock::now();
    const HttpResult result = get(server.url(), "/patroni", 150ms);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(result.outcome, PollOutcome::timeout);
    EXPECT_EQ(result.error, "no complete answer within 150 ms");
    EXPECT_GE(took, 150ms);
    EXPECT_LT(took, 1s);
    EXPECT_EQ(server.requests("/patroni"), 1) << "the request reached the server";
}

TEST_F(HttpGet, ResolvesAHostName) {
    FakeHttpServer server(io_);
    server.answer("/patroni", 200, "{}");
    const HttpResult result = get("http://localhost:" + std::to_string(server.port()), "/patroni");
    EXPECT_EQ(result.outcome, PollOutcome::ok) << result.error;
}

TEST_F(HttpGet, AClosedPortIsUnreachable) {
    const HttpResult result =
        get("http://127.0.0.1:" + std::to_string(testing::closed_port(io_)), "/patroni");
    EXPECT_EQ(result.outcome, PollOutcome::unreachable);
    EXPECT_NE(result.error.find("connect 127.0.0.1:"), std::string::npos) << result.error;
}

}  // namespace
}  // namespace pgroute::health
