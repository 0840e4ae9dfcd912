#include "proxy/net/node_tls.h"

#include <asio/experimental/as_tuple.hpp>
#include <asio/ssl/host_name_verification.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "protocol/message_builder.h"
#include "protocol/message_type.h"
#include "proxy/net/deadline.h"

namespace pgroute::proxy {

asio::awaitable<std::string> negotiate_node_tls(asio::ip::tcp::socket& server,
                                                std::unique_ptr<tls_stream>& tls,
                                                asio::ssl::context& context, server_tls_mode mode,
                                                const std::string& host,
                                                std::chrono::milliseconds timeout) {
    asio::steady_timer deadline(server.get_executor(), timeout);
    const std::string request =
        protocol::message_builder().u32(protocol::negotiate_ssl_code).finish();
    auto [write_ec, written] = co_await asio::async_write(
        server, asio::buffer(request), asio::experimental::as_tuple(asio::use_awaitable));
    if (write_ec) co_return "SSLRequest not sent: " + write_ec.message();
    char answer = 0;
    if (auto ec = co_await read_exactly(server, asio::buffer(&answer, 1), deadline)) {
        co_return "no answer to SSLRequest: " + ec.message();
    }
    if (answer == 'N') {
        if (mode == server_tls_mode::prefer) co_return "";
        co_return "the node does not accept TLS, which server_tls.mode requires";
    }
    if (answer != 'S') co_return "unexpected answer to SSLRequest";
    tls = std::make_unique<tls_stream>(server, context);
    if (mode == server_tls_mode::verify_full) {
        tls->set_verify_callback(asio::ssl::host_name_verification(host));
    }
    if (auto ec = co_await handshake_before(*tls, tls_stream::client, deadline)) {
        tls.reset();
        co_return "TLS handshake failed: " + ec.message();
    }
    co_return "";
}

}  // namespace pgroute::proxy
