// Proxy mode: the part of a login to a node that is pgroute's to answer, shared by a session's
// login in its client's name and auth_lookup's as auth_user: read the node's authentication
// requests, answer each with node_exchange, until the node's AuthenticationOk or its refusal.
// What follows AuthenticationOk (ParameterStatus, BackendKeyData, ReadyForQuery) is the caller's.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>
#include <cstddef>
#include <optional>
#include <string>

#include "proxy/session/message_stream.h"
#include "proxy/session/node_login_exchange.h"

namespace pgroute::proxy {

struct node_authentication {
    std::string failed;  // set: the exchange could not go on, and why (no answer, a malformed or
                         // unexpected message, a method pgroute cannot answer)
    std::optional<received_message> refusal;  // the node's ErrorResponse, as it came
};

// Runs the exchange on `node` until AuthenticationOk (then neither is set), bounded by
// `deadline`; no message may be longer than `max_message`.
[[nodiscard]] asio::awaitable<node_authentication> authenticate_to_node(
    message_stream& node, node_exchange& exchange, asio::steady_timer& deadline,
    std::size_t max_message);

}  // namespace pgroute::proxy
