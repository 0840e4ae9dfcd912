#include "proxy/session/client_error.h"

#include <array>
#include <asio/experimental/deferred.hpp>
#include <asio/experimental/parallel_group.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <chrono>

#include "protocol/error_response.h"
#include "proxy/net/deadline.h"

namespace pgroute::proxy {

template <typename Stream>
asio::awaitable<void> send_fatal(Stream& client, std::string_view sqlstate,
                                 std::string_view message, std::string_view detail) {
    const auto frame =
        protocol::build_error_response({protocol::severity::fatal, sqlstate, message, detail});
    co_await send_last_word(client, frame);
}

template asio::awaitable<void> send_fatal(asio::ip::tcp::socket&, std::string_view,
                                          std::string_view, std::string_view);
template asio::awaitable<void> send_fatal(tls_stream&, std::string_view, std::string_view,
                                          std::string_view);

template <typename Stream>
asio::awaitable<void> send_last_word(Stream& client, std::string_view frame) {
    asio::steady_timer deadline(client.get_executor(), std::chrono::seconds(1));
    co_await asio::experimental::make_parallel_group(
        asio::async_write(client, asio::buffer(frame), asio::experimental::deferred),
        deadline.async_wait(asio::experimental::deferred))
        .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
    std::error_code ignored;
    client.lowest_layer().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

template asio::awaitable<void> send_last_word(asio::ip::tcp::socket&, std::string_view);
template asio::awaitable<void> send_last_word(tls_stream&, std::string_view);

asio::awaitable<void> send_fatal_to(asio::ip::tcp::socket& client, tls_stream* tls,
                                    std::string_view sqlstate, std::string_view message) {
    return tls ? send_fatal(*tls, sqlstate, message) : send_fatal(client, sqlstate, message);
}

asio::awaitable<void> close_after_last_word(asio::ip::tcp::socket client,
                                            std::chrono::milliseconds timeout) {
    std::error_code ignored;
    client.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    asio::steady_timer deadline(client.get_executor(), timeout);
    std::array<char, 4096> dropped;
    // A full buffer means more may follow; anything else is the end, the timeout or an error.
    while (!co_await read_exactly(client, asio::buffer(dropped), deadline)) {
    }
}

}  // namespace pgroute::proxy
