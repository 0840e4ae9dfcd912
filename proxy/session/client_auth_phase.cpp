// Proxy mode: pgroute authenticates the client itself, by the method the user's stored verifier
// allows, as PostgreSQL picks it: SCRAM-SHA-256 for a SCRAM secret, md5 for an md5 hash alone,
// none for a user stored without a password (the node decides: pgroute has nothing to log in
// with but the name). An unknown user gets a SCRAM exchange with a mock secret that fails at the
// proof, so that it cannot be told from a wrong password.
#include <asio/steady_timer.hpp>

#include "protocol/authentication.h"
#include "protocol/message_type.h"
#include "protocol/protocol_version.h"
#include "protocol/sqlstate.h"
#include "proxy/auth/md5_auth.h"
#include "proxy/auth/mock_verifier.h"
#include "proxy/auth/scram_attributes.h"
#include "proxy/auth/scram_server.h"
#include "proxy/session/message_stream.h"
#include "proxy/session/session_phases.h"

namespace pgroute::proxy {

namespace {

namespace sqlstate = protocol::sqlstate;

// PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH.
constexpr std::size_t max_auth_message = 65535;

// Why the exchange ended without an authenticated client: what the client is told (nothing when
// it left), and the cause for the log.
struct refusal {
    std::optional<auth::auth_error> answer;
    std::string cause;
};

refusal malformed(const std::string& what) {
    return {auth::auth_error{sqlstate::protocol_violation, "malformed " + what},
            "malformed " + what};
}

refusal failed(auth::auth_error error) {
    std::string cause = error.message;
    return {std::move(error), std::move(cause)};
}

class client_exchange {
  public:
    client_exchange(session_state& s, std::chrono::milliseconds timeout)
        : stream_(s.client, s.client_tls.get()), deadline_(s.client.get_executor(), timeout) {}

    asio::awaitable<std::optional<refusal>> send(std::string_view messages) {
        if (auto ec = co_await stream_.write(messages)) {
            co_return refusal{std::nullopt, "client left during authentication: " + ec.message()};
        }
        co_return std::nullopt;
    }

    // The client's next 'p' message body, or why there is none.
    asio::awaitable<std::variant<std::string, refusal>> receive(std::string_view expected) {
        received_message message;
        if (auto ec = co_await stream_.read(message, max_auth_message, deadline_)) {
            if (ec == asio::error::timed_out) {
                co_return refusal{
                    auth::auth_error{sqlstate::protocol_violation,
                                     "timeout while waiting for the " + std::string(expected)},
                    "authentication timeout (startup_timeout)"};
            }
            if (ec == asio::error::message_size) co_return malformed(std::string(expected));
            co_return refusal{std::nullopt, "client left during authentication: " + ec.message()};
        }
        if (message.type != protocol::PqMsg_PasswordMessage) {
            co_return refusal{
                auth::auth_error{sqlstate::protocol_violation,
                                 "expected " + std::string(expected) + ", got message type " +
                                     std::to_string(static_cast<unsigned char>(message.type))},
                "unexpected message during authentication"};
        }
        co_return std::move(message.body);
    }

  private:
    message_stream stream_;
    asio::steady_timer deadline_;
};

asio::awaitable<std::optional<refusal>> exchange_scram(session_state& s, client_exchange& client,
                                                       const auth::stored_verifier* verifier,
                                                       const proxy_auth& auth) {
    auth::channel_binding binding{s.client_tls ? auth.certificate_hash
                                               : std::vector<std::uint8_t>{}};
    const auto mechanisms = auth::scram_mechanisms(binding);
    if (auto gone = co_await client.send(protocol::build_authentication_sasl(mechanisms))) {
        co_return gone;
    }
    auto first = co_await client.receive("SASL response");
    if (auto* stop = std::get_if<refusal>(&first)) co_return std::move(*stop);
    const auto initial = protocol::parse_sasl_initial_response(std::get<std::string>(first));
    if (!initial || !initial->data) co_return malformed("SASLInitialResponse message");
    auto chosen = auth::choose_mechanism(initial->mechanism, std::move(binding));
    if (!chosen) co_return failed(chosen.error());
    auto challenge = auth::scram_challenge::accept(
        *initial->data, {std::string(s.label.user),
                         auth::scram_secret_or_mock(s.label.user, verifier, auth.mock_key),
                         std::move(chosen).value(), auth::random_scram_nonce()});
    if (!challenge) co_return failed(challenge.error());
    if (auto gone = co_await client.send(
            protocol::build_authentication_sasl_continue(challenge->server_first()))) {
        co_return gone;
    }
    auto last = co_await client.receive("SASL response");
    if (auto* stop = std::get_if<refusal>(&last)) co_return std::move(*stop);
    auto verified = challenge->verify(std::get<std::string>(last));
    if (!verified) co_return failed(verified.error());
    if (auto gone = co_await client.send(
            protocol::build_authentication_sasl_final(verified->server_final))) {
        co_return gone;
    }
    s.credentials =
        std::make_unique<login_credentials>(login_credentials{*verifier, verified->client_key});
    co_return std::nullopt;
}

asio::awaitable<std::optional<refusal>> exchange_md5(session_state& s, client_exchange& client,
                                                     const auth::stored_verifier& verifier) {
    const auth::md5_salt salt = auth::random_md5_salt();
    if (auto gone = co_await client.send(protocol::build_authentication_md5(salt))) {
        co_return gone;
    }
    auto answer = co_await client.receive("password response");
    if (auto* stop = std::get_if<refusal>(&answer)) co_return std::move(*stop);
    const auto password = protocol::parse_password_message(std::get<std::string>(answer));
    if (!password) co_return malformed("password packet");
    if (auto wrong = auth::check_md5_response(s.label.user, &*verifier.md5, salt, *password)) {
        co_return failed(std::move(*wrong));
    }
    s.credentials = std::make_unique<login_credentials>(login_credentials{verifier, std::nullopt});
    co_return std::nullopt;
}

// auth_query runs on the leader. While there is none (a failover), the lookup waits for one up
// to hold_timeout, as a new session waits for its node, instead of refusing the client at once;
// with static roles no other leader can come, and it is refused.
asio::awaitable<auth_lookup_outcome> look_up_user(session_state& s, auth_lookup& lookups) {
    const auto give_up = std::chrono::steady_clock::now() + s.cfg().limits.hold_timeout;
    for (;;) {
        const auto topology = s.worker.topology.current();
        auto found = co_await lookups.find(std::string(s.label.user), std::string(s.label.database),
                                           *topology);
        if (found.failed.empty() || topology->leader() != nullptr ||
            !s.worker.topology.may_wait(give_up)) {
            co_return found;
        }
        co_await s.worker.topology.wait_for_newer(topology, give_up);
    }
}

}  // namespace

asio::awaitable<bool> authenticate_client(session_state& s, const proxy_auth& auth) {
    client_exchange client(s, s.cfg().limits.startup_timeout);
    // A server answers the version and options it does not speak before it authenticates; the
    // node, which is offered what pgroute grants, will then have nothing to add.
    if (s.negotiation.answer_due()) {
        const std::string answer = protocol::build_negotiate_protocol_version(
            s.negotiation.offered, s.negotiation.unsupported_options);
        if (auto gone = co_await client.send(answer)) {
            s.worker.log.warn(s.label.text() + " rejected during authentication: " + gone->cause);
            co_return false;
        }
        s.negotiation.requested = s.negotiation.offered;
        s.negotiation.unsupported_options.clear();
    }
    const auto found = auth.users.find(std::string(s.label.user));
    const auth::stored_verifier* verifier = found == auth.users.end() ? nullptr : &found->second;
    auth_lookup_outcome looked_up;
    if (verifier == nullptr && s.generation->lookups()) {
        looked_up = co_await look_up_user(s, *s.generation->lookups());
        if (!looked_up.failed.empty()) {
            s.counters().rejections(session_rejection::auth_failed).add();
            s.worker.log.warn(s.label.text() + " rejected: auth_query: " + looked_up.failed);
            co_await s.tell_client(sqlstate::connection_failure,
                                   "pgroute could not look up user \"" + std::string(s.label.user) +
                                       "\": " + looked_up.failed);
            co_return false;
        }
        if (!looked_up.node.empty()) {
            s.worker.log.debug(s.label.text() + " auth_query on node " + quoted(looked_up.node) +
                               (looked_up.verifier ? ": found" : ": no such user"));
        }
        if (looked_up.verifier) verifier = &*looked_up.verifier;
    }
    std::optional<refusal> refused;
    if (verifier == nullptr || verifier->scram) {
        refused = co_await exchange_scram(s, client, verifier, auth);
    } else if (verifier->md5) {
        refused = co_await exchange_md5(s, client, *verifier);
    } else {
        s.credentials =
            std::make_unique<login_credentials>(login_credentials{*verifier, std::nullopt});
    }
    if (!refused) co_return true;
    s.counters().rejections(session_rejection::auth_failed).add();
    s.worker.log.warn(s.label.text() + " rejected during authentication: " + refused->cause);
    if (refused->answer) {
        co_await s.tell_client(refused->answer->sqlstate, refused->answer->message);
    }
    co_return false;
}

}  // namespace pgroute::proxy
