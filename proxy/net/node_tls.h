// Asking a node for TLS before the StartupMessage, as libpq does with its sslmode: an SSLRequest,
// the node's one-byte answer, then the handshake (verifying the node's certificate against the
// CA and the node's host for verify-full).
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "proxy/config/config.h"
#include "proxy/net/tls_stream.h"

namespace pgroute::proxy {

// On success returns "" and sets `tls` unless the node declined and `mode` is prefer (then the
// session goes on in plaintext). Otherwise returns why, for the client's 08006 and the log.
[[nodiscard]] asio::awaitable<std::string> negotiate_node_tls(
    asio::ip::tcp::socket& server, std::unique_ptr<tls_stream>& tls, asio::ssl::context& context,
    server_tls_mode mode, const std::string& host, std::chrono::milliseconds timeout);

}  // namespace pgroute::proxy
