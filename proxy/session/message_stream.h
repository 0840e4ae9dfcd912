// A session's side (client or node) before the relay takes it over, read and written one whole
// message at a time: the authentication exchanges, which pgroute conducts itself in proxy mode.
// Reads are bounded by a deadline and a body limit; over TLS when the side has it.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

#include "proxy/net/tls_stream.h"

namespace pgroute::proxy {

struct received_message {
    char type = 0;
    std::string body;
};

class message_stream {
  public:
    message_stream(asio::ip::tcp::socket& socket, tls_stream* tls) : socket_(socket), tls_(tls) {}

    // One message into `out`. asio::error::timed_out when the deadline passes first,
    // asio::error::message_size when its length is below 4 or its body over `max_body`.
    [[nodiscard]] asio::awaitable<std::error_code> read(received_message& out, std::size_t max_body,
                                                        asio::steady_timer& deadline);
    // Complete messages, written whole.
    [[nodiscard]] asio::awaitable<std::error_code> write(std::string_view messages);

  private:
    asio::ip::tcp::socket& socket_;
    tls_stream* tls_;
};

}  // namespace pgroute::proxy
