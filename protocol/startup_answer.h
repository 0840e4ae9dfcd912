// A node's first answer to a StartupMessage, looked at before any of it reaches the client.
#pragma once

#include <optional>
#include <string_view>

#include "protocol/error_response.h"

namespace pgroute::protocol {

// The error when `answer` opens with a complete ErrorResponse carrying SQLSTATE 57P03, PostgreSQL's
// "cannot connect now" (after a NegotiateProtocolVersion, for a client that asked for a newer
// protocol than the node speaks): the node is starting up or shutting down. The client has heard
// nothing yet, so a proxy can take the session to another node instead of passing the refusal on.
// nullopt for any other answer, and for one not complete within `answer`.
[[nodiscard]] std::optional<parsed_error> cannot_connect_now_answer(std::string_view answer);

}  // namespace pgroute::protocol
