// Proxy mode: pgroute answers the node's authentication requests in the client's name, with what
// the client's own authentication left (login_credentials): SCRAM with its ClientKey, md5 with
// the stored hash, nothing for trust. It never holds a clear-text password, so a node that asks
// for one is refused. The node's AuthenticationOk is answered to the client by pgroute's own
// (the client's exchange was with pgroute); everything after it is the relay's.
#include <asio/steady_timer.hpp>

#include "protocol/authentication.h"
#include "protocol/error_response.h"
#include "protocol/message_builder.h"
#include "protocol/sqlstate.h"
#include "proxy/session/message_stream.h"
#include "proxy/session/node_authentication.h"
#include "proxy/session/session_phases.h"

namespace pgroute::proxy {

namespace {

namespace sqlstate = protocol::sqlstate;

// PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH; an ErrorResponse is far shorter.
constexpr std::size_t max_login_message = 65535;

}  // namespace

asio::awaitable<node_login> log_into_node(session_state& s, bool greet_client) {
    message_stream node(s.server, s.server_tls.get());
    asio::steady_timer deadline(s.server.get_executor(), s.cfg().limits.connect_timeout);
    node_exchange exchange(s.label.user, *s.credentials);
    node_authentication end =
        co_await authenticate_to_node(node, exchange, deadline, max_login_message);
    if (!end.failed.empty()) co_return node_login{std::move(end.failed), false};
    message_stream client(s.client, s.client_tls.get());
    if (end.refusal) {
        const received_message& message = *end.refusal;
        const auto error = protocol::parse_error_response(message.body);
        if (!error) co_return node_login{"malformed ErrorResponse during the login", false};
        // The node refusing pgroute's proof means that its secret is not the one pgroute
        // holds: pgroute's problem, not the client's password.
        if (error->sqlstate == sqlstate::invalid_password ||
            error->sqlstate == sqlstate::invalid_authorization_specification) {
            co_return node_login{"the node refused the login: " + error->message, false};
        }
        // Anything else (no such database, too many connections) is the node's to say.
        if (!greet_client) co_return node_login{"the node refused: " + error->message, false};
        (void)co_await client.write(
            protocol::message_builder(message.type).bytes(message.body).finish());
        co_return node_login{error->message, true};
    }
    if (!greet_client) co_return node_login{};
    if (auto ec = co_await client.write(protocol::build_authentication_ok())) {
        co_return node_login{"the client left: " + ec.message(), true};
    }
    co_return node_login{};
}

}  // namespace pgroute::proxy
