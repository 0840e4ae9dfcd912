// Telling a client why it is being turned away: a FATAL ErrorResponse, written best effort
// with a short deadline, so a stalled client cannot hold the session open.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <string_view>

#include "proxy/net/tls_stream.h"

namespace pgroute::proxy {

// Defined for asio::ip::tcp::socket and tls_stream.
template <typename Stream>
asio::awaitable<void> send_fatal(Stream& client, std::string_view sqlstate,
                                 std::string_view message, std::string_view detail = {});

// Writes `frame` (a whole ErrorResponse, pgroute's or a node's) within the same deadline, then
// stops sending. Defined for asio::ip::tcp::socket and tls_stream.
template <typename Stream>
asio::awaitable<void> send_last_word(Stream& client, std::string_view frame);

// Over `tls` when the client negotiated it, else over the plain socket.
asio::awaitable<void> send_fatal_to(asio::ip::tcp::socket& client, tls_stream* tls,
                                    std::string_view sqlstate, std::string_view message);

// Ends a session whose last word came from our side (an ErrorResponse of pgroute's or of the
// node's): stops sending, then reads and drops what the client still sends until it closes or
// `timeout` passes. Closing a socket with unread input makes the kernel answer with a RST, and a
// RST can destroy that ErrorResponse in the client's receive queue before the client reads it.
asio::awaitable<void> close_after_last_word(asio::ip::tcp::socket client,
                                            std::chrono::milliseconds timeout);

}  // namespace pgroute::proxy
