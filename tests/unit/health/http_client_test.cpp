#include "health/patroni/http_client.h"

#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <optional>

#include "fake_http_server.h"

namespace pgroute::health {
namespace {

using namespace std::chrono_literals;
using testing::fake_http_server;

class http_client_test : public ::testing::Test {
  protected:
    http_result get(const std::string& url, const std::string& path,
                    std::chrono::milliseconds timeout = 2s,
                    std::size_t max_bytes = default_max_response_bytes) {
        std::optional<http_result> result;
        asio::co_spawn(io_, http_get(*parse_http_url(url), path, timeout, {}, max_bytes),
                       [&](const std::exception_ptr& error, http_result answer) {
                           EXPECT_FALSE(error);
                           result = std::move(answer);
                       });
        EXPECT_TRUE(testing::run_until(io_, [&] { return result.has_value(); }));
        return result.value_or(http_result{});
    }

    http_result post(const std::string& url, const std::string& path) {
        std::optional<http_result> result;
        asio::co_spawn(io_, http_post(*parse_http_url(url), path, 2s),
                       [&](const std::exception_ptr& error, http_result answer) {
                           EXPECT_FALSE(error);
                           result = std::move(answer);
                       });
        EXPECT_TRUE(testing::run_until(io_, [&] { return result.has_value(); }));
        return result.value_or(http_result{});
    }

    asio::io_context io_;
};

TEST_F(http_client_test, ReadsAPatroniAnswerThatEndsAtTheClose) {
    fake_http_server server(io_);
    server.answer("/patroni", 200, R"({"state": "running"})");
    const http_result result = get(server.url(), "/patroni");
    EXPECT_EQ(result.outcome, poll_outcome::ok) << result.error;
    EXPECT_EQ(result.status_code, 200);
    EXPECT_EQ(result.body, R"({"state": "running"})");
}

TEST_F(http_client_test, SendsAnHttp11GetWithHostAndConnectionClose) {
    fake_http_server server(io_);
    server.answer("/patroni", 200, "{}");
    (void)get(server.url(), "/patroni");
    EXPECT_EQ(
        server.last_request(),
        "GET /patroni HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(server.port()) +
            "\r\nAccept: application/json\r\nConnection: close\r\nUser-Agent: pgroute\r\n\r\n");
}

TEST_F(http_client_test, ReadsAContentLengthBody) {
    fake_http_server server(io_);
    server.answer_raw("/cluster", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
    const http_result result = get(server.url(), "/cluster");
    EXPECT_EQ(result.outcome, poll_outcome::ok) << result.error;
    EXPECT_EQ(result.body, "{}");
}

TEST_F(http_client_test, AServerErrorIsAnHttpErrorWithItsStatus) {
    fake_http_server server(io_);
    server.answer("/patroni", 500, "oops");
    const http_result result = get(server.url(), "/patroni");
    EXPECT_EQ(result.outcome, poll_outcome::http_error);
    EXPECT_EQ(result.status_code, 500);
    EXPECT_EQ(result.error, "HTTP status 500");
}

// pgroute's admin listener says why it refused an action in the body: the caller shows it.
TEST_F(http_client_test, APostSendsNoBodyAndARefusalKeepsItsBody) {
    fake_http_server server(io_);
    server.answer("/drain/pg9", 404, "no node named \"pg9\"\n");
    const http_result result = post(server.url(), "/drain/pg9");
    EXPECT_EQ(server.last_request(),
              "POST /drain/pg9 HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(server.port()) +
                  "\r\nContent-Length: 0\r\nAccept: application/json\r\nConnection: close\r\n"
                  "User-Agent: pgroute\r\n\r\n");
    EXPECT_EQ(result.outcome, poll_outcome::http_error);
    EXPECT_EQ(result.status_code, 404);
    EXPECT_EQ(result.body, "no node named \"pg9\"\n");
}

TEST_F(http_client_test, GarbageInsteadOfHttpIsAnHttpError) {
    fake_http_server server(io_);
    server.answer_raw("/patroni", std::string("\x00\xff garbage\r\n\r\n", 14));
    const http_result result = get(server.url(), "/patroni");
    EXPECT_EQ(result.outcome, poll_outcome::http_error);
    EXPECT_EQ(result.error, "malformed status line");
}

TEST_F(http_client_test, AResponseOverTheCapIsAnHttpError) {
    fake_http_server server(io_);
    server.answer("/patroni", 200, std::string(2 << 20, 'x'));
    const http_result result = get(server.url(), "/patroni", 2s, 1 << 20);
    EXPECT_EQ(result.outcome, poll_outcome::http_error);
    EXPECT_EQ(result.error, "response larger than 1048576 bytes");
}

TEST_F(http_client_test, AResponseExactlyAtTheCapIsRead) {
    fake_http_server server(io_);
    const std::string head = "HTTP/1.0 200 OK\r\n\r\n";
    server.answer_raw("/patroni", head + std::string(1000 - head.size(), 'x'));
    EXPECT_EQ(get(server.url(), "/patroni", 2s, 1000).outcome, poll_outcome::ok);
}

TEST_F(http_client_test, ASilentServerTimesOutWithinTheDeadline) {
    fake_http_server server(io_);
    server.stay_silent();
    const auto start = std::chrono::steady_clock::now();
    const http_result result = get(server.url(), "/patroni", 150ms);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(result.outcome, poll_outcome::timeout);
    EXPECT_EQ(result.error, "no complete answer within 150 ms");
    EXPECT_GE(took, 150ms);
    EXPECT_LT(took, 1s);
    EXPECT_EQ(server.requests("/patroni"), 1) << "the request reached the server";
}

TEST_F(http_client_test, ResolvesAHostName) {
    fake_http_server server(io_);
    server.answer("/patroni", 200, "{}");
    const http_result result = get("http://localhost:" + std::to_string(server.port()), "/patroni");
    EXPECT_EQ(result.outcome, poll_outcome::ok) << result.error;
}

TEST_F(http_client_test, AClosedPortIsUnreachable) {
    const http_result result =
        get("http://127.0.0.1:" + std::to_string(testing::closed_port(io_)), "/patroni");
    EXPECT_EQ(result.outcome, poll_outcome::unreachable);
    EXPECT_NE(result.error.find("connect 127.0.0.1:"), std::string::npos) << result.error;
}

}  // namespace
}  // namespace pgroute::health
