// Socket operations bounded by a deadline: the operation and a timer race in a parallel group
// and the loser is cancelled (Asio 1.22 has no cancel_after). A name lookup cannot be cancelled,
// so it is abandoned at the deadline instead (health/resolve/host_lookup.h).
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <system_error>

#include "proxy/net/tls_stream.h"

namespace pgroute::proxy {

// Reads exactly the buffer's size. Returns asio::error::timed_out when the timer wins.
// Defined for asio::ip::tcp::socket and tls_stream.
template <typename Stream>
[[nodiscard]] asio::awaitable<std::error_code> read_exactly(Stream& stream,
                                                            asio::mutable_buffer buffer,
                                                            asio::steady_timer& deadline);

[[nodiscard]] asio::awaitable<std::error_code> handshake_before(
    tls_stream& stream, asio::ssl::stream_base::handshake_type type, asio::steady_timer& deadline);

[[nodiscard]] asio::awaitable<std::error_code> connect_before(asio::ip::tcp::socket& socket,
                                                              const asio::ip::tcp::endpoint& to,
                                                              asio::steady_timer& deadline);

// Resolves host:port (a literal address needs no lookup) to its first address, bounded by the
// deadline: asio::error::timed_out when it passes first.
[[nodiscard]] asio::awaitable<std::error_code> resolve_before(const std::string& host,
                                                              std::uint16_t port,
                                                              asio::steady_timer& deadline,
                                                              asio::ip::tcp::endpoint& out);

}  // namespace pgroute::proxy
