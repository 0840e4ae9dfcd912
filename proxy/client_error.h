// Telling a client why it is being turned away: a FATAL ErrorResponse, written best effort
// with a short deadline, so a stalled client cannot hold the session open.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <string_view>

namespace pgroute::proxy {

asio::awaitable<void> send_fatal(asio::ip::tcp::socket& client, std::string_view sqlstate,
                                 std::string_view message, std::string_view detail = {});

}  // namespace pgroute::proxy
