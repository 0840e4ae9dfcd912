// A session's phases, each a coroutine of its own so that what one needs is freed before the
// next, and none is left while the session relays: read the startup packet, route and
// connect (waiting for a node when Patroni has none), carry. Internal to proxy/session.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>

#include "proxy/cancel/cancel_keys.h"
#include "proxy/metrics/counters.h"
#include "proxy/relay/relay.h"
#include "proxy/session/session_frames.h"
#include "proxy/session/session_state.h"

namespace pgroute::proxy {

// Reads the startup packet and answers what ends there: a malformed packet, a CancelRequest, a
// plaintext client on an endpoint that requires TLS. True when a StartupMessage is to be served.
[[nodiscard]] asio::awaitable<bool> read_startup(session_state& s);

// Asks the router, and asks again with every new snapshot while the session may wait (up to
// limits.hold_timeout). `stale`, if set, is a snapshot whose answer already failed: only a newer
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

// Proxy mode: logs into the node s.server is connected to, with s.credentials. `greet_client`:
// the client gets its AuthenticationOk, and the node's own refusals, as the node sends them (a
// session logging in again elsewhere tells its client nothing).
[[nodiscard]] asio::awaitable<node_login> log_into_node(session_state& s, bool greet_client);

// Connects `server` to the node within `timeout`; returns why not, or nothing. A cut ordered
// meanwhile cancels the connect (not a name lookup, which ends by the same deadline).
[[nodiscard]] asio::awaitable<std::string> connect_to_node(asio::ip::tcp::socket& server,
                                                           const health::node_view& node,
                                                           std::chrono::milliseconds timeout);

struct node_connection {
    std::string failed;         // empty: connected (over TLS when server_tls asks for it)
    bool node_gave_up = false;  // it failed before the node said anything: another may serve
};

// Connects s.server (a fresh socket) to `node` within connect_timeout, then TLS if configured.
[[nodiscard]] asio::awaitable<node_connection> open_node_connection(session_state& s,
                                                                    const health::node_view& node);

// Sends s.startup_packet to the node and, over plain TCP, looks at its first answer: why the
// node gave up on the session before it said anything else (closed, reset, or, when
// `may_route_again`, 57P03), or empty.
[[nodiscard]] asio::awaitable<std::string> replay_startup(session_state& s, bool may_route_again);

// Proxy mode: why the session may move to another node now that its relay ended with `result`,
// or nullopt. It may when the relay ended at a moment it holds nothing a move would lose (idle:
// ReadyForQuery 'I', no answer due; everything the client sent forwarded; nothing it cannot
// rebuild elsewhere, session_replay.h) and because its node left the role the endpoint needs (a
// cut) or is shutting down (its FATAL 57P01 or 57P02, which the relay stopped before); or when
// that FATAL ended a statement that runs again where the session moves (statement_retry.h).
[[nodiscard]] std::optional<move_reason> move_cause(const session_state& s,
                                                    const relay_result& result,
                                                    const session_control& control,
                                                    server_frames& from_server);

// Proxy mode: the session could not move (`why`); its client is told so in the error that ends
// it: pgroute's cut, or the node's own FATAL, whose SQLSTATE it keeps.
void explain_lost_session(session_control& control, server_frames& from_server,
                          const std::string& why);

// Proxy mode: moves the session, its relay stopped at an idle moment, from its node to one that
// serves its endpoint now (waiting up to limits.hold_timeout for one): connects, replays the
// StartupMessage, logs in, takes the node's greeting (its BackendKeyData becomes what the
// client's cancel key stands for) without a word to the client. Empty when it moved; else why
// not, and the session has no node.
[[nodiscard]] asio::awaitable<std::string> move_session(session_state& s,
                                                        cancel_key_swap& cancel_key);

// Routes, connects and replays the StartupMessage. True when the node has it; otherwise the
// client has been told why.
[[nodiscard]] asio::awaitable<bool> connect_session(session_state& s);

// Proxy mode: sends the statement the old node's FATAL ended (statement_retry.h) to the node
// the session moved to, as its client sent it; its answers are the client's. Empty when sent;
// else why not. Not on the node that ended it: an operator's pg_terminate_backend ends a statement
// with the same FATAL as a shutdown, and must not see it start again.
[[nodiscard]] asio::awaitable<std::string> run_statement_again(session_state& s,
                                                               std::string_view ended_on);

// Takes the session over for good: relays until either side ends, moves it when it must and
// can, and at its end gives the client its ErrorResponse if it is owed one, logs the session's
// last line, and lingers for its last word. Returns at once: the relay's completion owns the
// session from here, with no coroutine frame while it relays.
void carry_session(std::unique_ptr<session_state> s);

}  // namespace pgroute::proxy
