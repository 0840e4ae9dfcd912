#include "health/patroni/http_client.h"

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/parallel_group.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/error.hpp>
#include <asio/ssl/host_name_verification.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <utility>

#include "health/patroni/http_codec.h"
#include "health/resolve/host_lookup.h"

namespace pgroute::health {
namespace {

constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);
constexpr std::size_t read_chunk = std::size_t{16} * 1024;

http_result failure(poll_outcome outcome, std::string error, int status_code = 0) {
    return {.outcome = outcome, .status_code = status_code, .error = std::move(error)};
}

// The transport seam: any connected Asio stream (plain TCP or TLS) goes through this.
template <typename Stream>
asio::awaitable<http_result> exchange(Stream& stream, std::string request, std::size_t max_bytes) {
    const auto [write_error, written] =
        co_await asio::async_write(stream, asio::buffer(request), use_tuple);
    if (write_error) co_return failure(poll_outcome::unreachable, "send: " + write_error.message());

    std::string received;
    for (;;) {
        // Reading one byte beyond the cap tells an oversized response from one that fits.
        const std::size_t old_size = received.size();
        const std::size_t room = std::min(read_chunk, max_bytes + 1 - old_size);
        received.resize(old_size + room);
        const auto [read_error, got] = co_await stream.async_read_some(
            asio::buffer(received.data() + old_size, room), use_tuple);
        received.resize(old_size + got);
        // A TLS peer that closes without close_notify has still ended the body.
        const bool at_eof =
            read_error == asio::error::eof || read_error == asio::ssl::error::stream_truncated;
        if (read_error && !at_eof) {
            co_return failure(poll_outcome::unreachable, "receive: " + read_error.message());
        }
        if (received.size() > max_bytes) {
            co_return failure(poll_outcome::http_error,
                              "response larger than " + std::to_string(max_bytes) + " bytes");
        }
        parsed_response parsed = parse_http_response(received, at_eof);
        if (parsed.progress == response_progress::incomplete) continue;
        if (parsed.progress == response_progress::invalid) {
            co_return failure(poll_outcome::http_error, std::move(parsed.error));
        }
        if (parsed.status_code != 200) {
            http_result refused =
                failure(poll_outcome::http_error,
                        "HTTP status " + std::to_string(parsed.status_code), parsed.status_code);
            refused.body = std::string(parsed.body);
            co_return refused;
        }
        co_return http_result{.outcome = poll_outcome::ok,
                              .status_code = parsed.status_code,
                              .body = std::string(parsed.body)};
    }
}

asio::awaitable<http_result> connect_and_exchange(const http_url& url, std::string request,
                                                  std::size_t max_bytes, asio::ssl::context* tls) {
    // No deadline of its own: http_get's cancels the lookup with the rest of the request, so that
    // a lookup still hanging then is a timeout like any other.
    const auto [resolve_error, endpoints] =
        co_await lookup_host(url.host, url.port, std::chrono::steady_clock::time_point::max());
    if (resolve_error) {
        co_return failure(poll_outcome::unreachable,
                          "resolve " + url.host + ": " + resolve_error.message());
    }
    asio::ip::tcp::socket socket(co_await asio::this_coro::executor);
    const auto [connect_error, endpoint] =
        co_await asio::async_connect(socket, endpoints, use_tuple);
    if (connect_error) {
        co_return failure(poll_outcome::unreachable,
                          "connect " + host_header(url) + ": " + connect_error.message());
    }
    if (!url.tls) co_return co_await exchange(socket, std::move(request), max_bytes);

    if (tls == nullptr) co_return failure(poll_outcome::unreachable, "no TLS context for https");
    asio::ssl::stream<asio::ip::tcp::socket&> stream(socket, *tls);
    asio::error_code not_an_address;
    (void)asio::ip::make_address(url.host, not_an_address);
    // SNI for a host name, as curl sends it; an IP literal is not a valid server name.
    if (not_an_address) SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str());
    stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
    const auto [handshake_error] =
        co_await stream.async_handshake(asio::ssl::stream_base::client, use_tuple);
    if (handshake_error) {
        co_return failure(poll_outcome::unreachable, "TLS handshake with " + host_header(url) +
                                                         ": " + handshake_error.message());
    }
    co_return co_await exchange(stream, std::move(request), max_bytes);
}

asio::awaitable<http_result> http_exchange(http_method method, http_url url, std::string path,
                                           std::chrono::milliseconds timeout, api_access access,
                                           std::size_t max_response_bytes) {
    const auto executor = co_await asio::this_coro::executor;
    asio::steady_timer deadline(executor, timeout);
    std::string request = format_request(method, url, path, access.authorization);

    // Whichever finishes first cancels the other; the group completes once both have ended, so
    // nothing outlives this frame.
    auto [order, exchange_exception, result, deadline_error] =
        co_await asio::experimental::make_parallel_group(
            [&](auto token) {
                return asio::co_spawn(
                    executor,
                    connect_and_exchange(url, std::move(request), max_response_bytes, access.tls),
                    token);
            },
            [&](auto token) { return deadline.async_wait(token); })
            .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);

    if (order[0] == 1) {
        if (deadline_error) co_return failure(poll_outcome::unreachable, "cancelled");
        co_return failure(poll_outcome::timeout,
                          "no complete answer within " + std::to_string(timeout.count()) + " ms");
    }
    if (exchange_exception) {
        // Only a cancellation racing the exchange's own completion, or bad_alloc, lands here.
        co_return failure(poll_outcome::unreachable, "request aborted");
    }
    co_return std::move(result);
}

}  // namespace

asio::awaitable<http_result> http_get(http_url url, std::string path,
                                      std::chrono::milliseconds timeout, api_access access,
                                      std::size_t max_response_bytes) {
    return http_exchange(http_method::get, std::move(url), std::move(path), timeout,
                         std::move(access), max_response_bytes);
}

asio::awaitable<http_result> http_post(http_url url, std::string path,
                                       std::chrono::milliseconds timeout) {
    return http_exchange(http_method::post, std::move(url), std::move(path), timeout, {},
                         default_max_response_bytes);
}

}  // namespace pgroute::health
