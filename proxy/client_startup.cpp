#include "proxy/client_startup.h"

#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "protocol/byte_reader.h"
#include "protocol/sqlstate.h"
#include "proxy/deadline.h"

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
                                            const limits_config& limits) {
    asio::steady_timer deadline(client.get_executor());
    deadline.expires_after(limits.startup_timeout);
    bool answered_ssl = false;
    bool answered_gss = false;
    for (;;) {
        std::vector<char> packet(4);
        if (auto ec = co_await read_exactly(client, asio::buffer(packet), deadline)) {
            co_return went_away(ec);
        }
        const auto length = protocol::load_u32(packet.data());
        if (auto check = protocol::check_startup_length(length, limits.max_startup_packet_length);
            auto* error = std::get_if<protocol::parse_error>(&check)) {
            co_return client_startup_failure{
                *error, error->message + " (" + std::to_string(length) + " bytes)"};
        }
        packet.resize(length);
        if (auto ec = co_await read_exactly(client, asio::buffer(packet.data() + 4, length - 4),
                                            deadline)) {
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
        // SSLRequest or GSSENCRequest: neither is offered yet, and each may be asked only once.
        const bool is_ssl = std::holds_alternative<protocol::ssl_request>(request);
        bool& answered = is_ssl ? answered_ssl : answered_gss;
        if (answered) {
            co_return client_startup_failure{
                protocol::parse_error{protocol::sqlstate::protocol_violation,
                                      "encryption negotiation requested twice"},
                "repeated encryption request"};
        }
        answered = true;
        const char no = 'N';
        auto [ec, n] = co_await asio::async_write(
            client, asio::buffer(&no, 1), asio::experimental::as_tuple(asio::use_awaitable));
        if (ec) co_return went_away(ec);
    }
}

}  // namespace pgroute::proxy
