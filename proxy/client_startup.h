// The first phase of a session: read the client's startup packets within a deadline, answer
// SSLRequest/GSSENCRequest, and hand back the StartupMessage (or CancelRequest) to act on.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <optional>
#include <string>
#include <vector>

#include "protocol/parse_error.h"
#include "protocol/startup.h"
#include "proxy/config.h"

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

[[nodiscard]] asio::awaitable<std::variant<client_startup, client_startup_failure>>
read_client_startup(asio::ip::tcp::socket& client, const limits_config& limits);

}  // namespace pgroute::proxy
