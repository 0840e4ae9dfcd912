// A session's phases, each a coroutine of its own so that what one needs is freed before the
// next (an idle session keeps only the carry phase's frame): read the startup packet, route and
// connect (waiting for a node when Patroni has none), carry. Internal to proxy/session.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>

#include "proxy/session/session_state.h"

namespace pgroute::proxy {

// Reads the startup packet and answers what ends there: a malformed packet, a CancelRequest, a
// plaintext client on an endpoint that requires TLS. True when a StartupMessage is to be served.
[[nodiscard]] asio::awaitable<bool> read_startup(session_state& s);

// Asks the router, and asks again with every new snapshot while the session may wait (up to
// limits.node_wait). `stale`, if set, is a snapshot whose answer already failed: only a newer
// one is asked.
[[nodiscard]] asio::awaitable<routing> route_session(const endpoint_config& endpoint,
                                                     std::size_t endpoint_index,
                                                     worker_topology& topology,
                                                     const session_registry& sessions,
                                                     std::chrono::steady_clock::time_point give_up,
                                                     const health::topology_ptr& stale = {});

// Proxy mode: authenticates the client against the user's stored verifier, and keeps what a node
// login needs in s.credentials. False when it did not authenticate; the client has been told why.
[[nodiscard]] asio::awaitable<bool> authenticate_client(session_state& s, const proxy_auth& auth);

struct node_login {
    std::string failed;        // empty: logged in, and the client has its AuthenticationOk
    bool client_told = false;  // the node's own refusal reached the client (or it left)
};

// Proxy mode: logs into the node s.server is connected to, with s.credentials.
[[nodiscard]] asio::awaitable<node_login> log_into_node(session_state& s);

// Routes, connects and replays the StartupMessage. True when the node has it; otherwise the
// client has been told why.
[[nodiscard]] asio::awaitable<bool> connect_session(session_state& s);

// Relays until either side ends; then the client's ErrorResponse if it is owed one, the
// session's last log line, and the linger for its last word.
[[nodiscard]] asio::awaitable<void> carry_session(session_state& s);

}  // namespace pgroute::proxy
