#include "proxy/session/client_startup.h"

#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <tuple>

#include "protocol/byte_reader.h"
#include "protocol/sqlstate.h"
#include "proxy/net/deadline.h"

namespace pgroute::proxy {

namespace {

using result = std::variant<client_startup, client_startup_failure>;

client_startup_failure went_away(const std::error_code& ec) {
    if (ec == asio::error::timed_out) {
        return {protocol::parse_error{protocol::sqlstate::protocol_violation,
                                      "timeout while waiting for the startup packet"},
                "startup packet timeout"};
    }
    return {std::nullopt, "client left during startup: " + ec.message()};
}

}  // namespace

asio::awaitable<result> read_client_startup(asio::ip::tcp::socket& client,
                                            std::unique_ptr<tls_stream>& tls,
                                            asio::ssl::context* tls_context,
                                            const limits_config& limits) {
    asio::steady_timer deadline(client.get_executor());
    deadline.expires_after(limits.startup_timeout);
    const auto read = [&](asio::mutable_buffer into) {
        return tls ? read_exactly(*tls, into, deadline) : read_exactly(client, into, deadline);
    };
    bool answered_ssl = false;
    bool answered_gss = false;
    for (;;) {
        std::vector<char> packet(4);
        if (auto ec = co_await read(asio::buffer(packet))) {
            co_return went_away(ec);
        }
        const auto length = protocol::load_u32(packet.data());
        if (auto check = protocol::check_startup_length(length, limits.max_startup_packet_length);
            auto* error = std::get_if<protocol::parse_error>(&check)) {
            co_return client_startup_failure{
                *error, error->message + " (" + std::to_string(length) + " bytes)"};
        }
        packet.resize(length);
        if (auto ec = co_await read(asio::buffer(packet.data() + 4, length - 4))) {
            co_return went_away(ec);
        }
        auto parsed =
            protocol::parse_startup_packet(std::string_view(packet.data() + 4, length - 4));
        if (auto* error = std::get_if<protocol::parse_error>(&parsed)) {
            co_return client_startup_failure{*error, error->message};
        }
        auto& request = std::get<protocol::startup_packet>(parsed);
        if (auto* startup = std::get_if<protocol::startup_message>(&request)) {
            co_return client_startup{std::move(packet), std::move(*startup)};
        }
        if (auto* cancel = std::get_if<protocol::cancel_request>(&request)) {
            co_return client_startup{std::move(packet), *cancel};
        }
        // SSLRequest or GSSENCRequest, each at most once, and only in plaintext. GSSAPI
        // encryption is never offered.
        const bool is_ssl = std::holds_alternative<protocol::ssl_request>(request);
        bool& answered = is_ssl ? answered_ssl : answered_gss;
        if (answered) {
            co_return client_startup_failure{
                protocol::parse_error{protocol::sqlstate::protocol_violation,
                                      "encryption negotiation requested twice"},
                "repeated encryption request"};
        }
        answered = true;
        const bool offer_tls = is_ssl && tls_context != nullptr && !tls;
        const char answer = offer_tls ? 'S' : 'N';
        // if/else, not ?:, around co_await: GCC 12 miscompiles co_await inside a conditional.
        std::error_code ec;
        if (tls) {
            std::tie(ec, std::ignore) = co_await asio::async_write(
                *tls, asio::buffer(&answer, 1), asio::experimental::as_tuple(asio::use_awaitable));
        } else {
            std::tie(ec, std::ignore) =
                co_await asio::async_write(client, asio::buffer(&answer, 1),
                                           asio::experimental::as_tuple(asio::use_awaitable));
        }
        if (ec) co_return went_away(ec);
        if (!offer_tls) continue;
        tls = std::make_unique<tls_stream>(client, *tls_context);
        if (auto handshake_ec = co_await handshake_before(*tls, tls_stream::server, deadline)) {
            // Nothing can be said to a client that does not speak TLS after asking for it.
            tls.reset();
            co_return client_startup_failure{std::nullopt,
                                             "TLS handshake failed: " + handshake_ec.message()};
        }
    }
}

}  // namespace pgroute::proxy
