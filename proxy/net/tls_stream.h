// A TLS session over a socket that the session coroutine owns: the socket stays the session's
// (for cancel, options, the final close) while the stream encrypts what goes through it.
#pragma once

#include <asio/ip/tcp.hpp>
#include <asio/ssl/stream.hpp>

namespace pgroute::proxy {

using tls_stream = asio::ssl::stream<asio::ip::tcp::socket&>;

}  // namespace pgroute::proxy
