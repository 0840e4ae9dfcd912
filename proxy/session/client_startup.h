// The first phase of a session: read the client's startup packets within a deadline, answer
// SSLRequest (with a TLS handshake when the endpoint offers TLS) and GSSENCRequest, and hand back
// the StartupMessage (or CancelRequest) to act on.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/parse_error.h"
#include "protocol/startup.h"
#include "proxy/config/config.h"
#include "proxy/net/tls_stream.h"

namespace pgroute::proxy {

struct client_startup {
    // The StartupMessage or CancelRequest exactly as received, length included, for replay.
    std::vector<char> packet;
    std::variant<protocol::startup_message, protocol::cancel_request> request;  // views into packet
};

struct client_startup_failure {
    std::optional<protocol::parse_error> error;  // to send to the client; none if it just left
    std::string log_cause;
};

// `tls_context` null: SSLRequest is answered 'N'. Otherwise 'S', and `tls` is set to the stream
// that everything after the handshake (the rest of startup, errors, the relay) must go through.
[[nodiscard]] asio::awaitable<std::variant<client_startup, client_startup_failure>>
read_client_startup(asio::ip::tcp::socket& client, std::unique_ptr<tls_stream>& tls,
                    asio::ssl::context* tls_context, const limits_config& limits);

}  // namespace pgroute::proxy
