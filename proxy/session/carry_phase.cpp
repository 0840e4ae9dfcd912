#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/use_awaitable.hpp>

#include "protocol/error_response.h"
#include "protocol/sqlstate.h"
#include "proxy/relay/relay.h"
#include "proxy/session/last_word_hold.h"
#include "proxy/session/session.h"
#include "proxy/session/session_frames.h"
#include "proxy/session/session_phases.h"

namespace pgroute::proxy {

namespace {

using asio::ip::tcp;
namespace sqlstate = protocol::sqlstate;

// How long a session ended from our side waits for the client to read its last ErrorResponse and
// close; a client that has gone silent gets its close after this.
constexpr std::chrono::seconds last_word_linger{1};

// The ErrorResponse a client gets when the relay ended for a reason that is not its own doing.
// Nothing is sent when the server already spoke for itself (its last word was an ErrorResponse),
// the client asked to end, or the client is gone.
struct closing_error {
    std::string_view sqlstate;
    std::string message;
};

std::optional<closing_error> closing_error_for(const relay_result& result,
                                               const session_control& control,
                                               const client_frames& from_client,
                                               const server_frames& from_server) {
    if (!result.client_at_frame_boundary) return std::nullopt;
    switch (result.end) {
        case relay_end::cut:
            if (control.cut->reason == cut_reason::shutdown) {
                return closing_error{sqlstate::admin_shutdown, control.cut->message};
            }
            return closing_error{sqlstate::connection_failure,
                                 "pgroute cut this session: " + control.cut->message};
        case relay_end::client_protocol_violation:
            return closing_error{sqlstate::protocol_violation,
                                 "invalid message from client: " + result.detail};
        case relay_end::server_protocol_violation:
            return closing_error{
                sqlstate::protocol_violation,
                "invalid message from node " + quoted(control.node_name) + ": " + result.detail};
        case relay_end::server_error:
            if (from_server.ended_with_error()) return std::nullopt;
            return closing_error{
                sqlstate::connection_failure,
                "lost the connection to node " + quoted(control.node_name) + ": " + result.detail};
        case relay_end::server_closed:
            if (from_server.ended_with_error() || from_client.sent_terminate()) {
                return std::nullopt;
            }
            return closing_error{
                sqlstate::connection_failure,
                "node " + quoted(control.node_name) +
                    (result.bytes_from_server == 0 ? " closed the connection before answering"
                                                   : " closed the connection unexpectedly")};
        case relay_end::client_closed:
        case relay_end::client_error:
        case relay_end::stopped:  // the server's handler stops without a cut only for a
                                  // violation, read as server_protocol_violation before this
            return std::nullopt;
    }
    return std::nullopt;
}

// What the session's relay works with: its two frame handlers and the handle it steers it by.
struct carried {
    client_frames& from_client;
    server_frames& from_server;
    relay_control& control;
    relay_meters meters;
};

// Starts the relay over whichever streams the session has: a plain function, so choosing among
// the four instantiations costs nothing per session.
void relay_streams(session_state& s, const carried& c, relay_completion& done) {
    const relay_limits limits{s.cfg().limits.max_message_length};
    auto& buffers = s.worker.buffers;
    if (s.client_tls && s.server_tls) {
        return start_relay(*s.client_tls, *s.server_tls, c.from_client, c.from_server, c.control,
                           buffers, limits, c.meters, done);
    }
    if (s.client_tls) {
        return start_relay(*s.client_tls, s.server, c.from_client, c.from_server, c.control,
                           buffers, limits, c.meters, done);
    }
    if (s.server_tls) {
        return start_relay(s.client, *s.server_tls, c.from_client, c.from_server, c.control,
                           buffers, limits, c.meters, done);
    }
    start_relay(s.client, s.server, c.from_client, c.from_server, c.control, buffers, limits,
                c.meters, done);
}

// What the client hears last: the node's ErrorResponse that the relay stopped before (the
// session was idle), or pgroute's own closing error; empty when nothing is owed.
std::string last_word_for(const relay_result& result, const session_control& control,
                          const client_frames& from_client, server_frames& from_server) {
    if (!from_server.held_error().empty()) return std::move(from_server.held_error());
    const auto error = closing_error_for(result, control, from_client, from_server);
    if (!error) return {};
    return protocol::build_error_response(
        {protocol::severity::fatal, error->sqlstate, error->message, {}});
}

// Holds the last word for the client's next message, over TLS once the client negotiated it.
// The node's side is closed first: nothing more comes from it, and a cut backend ends now.
asio::awaitable<hold_end> hold_for_next_message(session_state& s, std::string_view last_word) {
    s.server_tls.reset();  // it refers to the socket being closed
    std::error_code ignored;
    s.server.close(ignored);
    auto& control = s.registration->control();
    last_word_hold hold(s.client.get_executor());
    control.hold = &hold;
    const auto limit = s.cfg().limits.idle_error_hold;
    // if/else, not ?:, around co_await: GCC 12 miscompiles co_await inside a conditional.
    hold_end end = hold_end::answered;
    if (s.client_tls) {
        end = co_await hold.deliver(*s.client_tls, last_word, limit);
    } else {
        end = co_await hold.deliver(s.client, last_word, limit);
    }
    control.hold = nullptr;
    co_return end;
}

// The session's last log line.
std::string end_line(const session_state& s, const relay_result& result,
                     std::optional<hold_end> held) {
    const auto& control = s.registration->control();
    std::string end = s.label.text() + " end duration=" + seconds_since(s.started) +
                      " bytes_in=" + std::to_string(result.bytes_from_client) +
                      " bytes_out=" + std::to_string(result.bytes_from_server) + " reason=\"" +
                      std::string(to_string(result.end));
    if (control.cut) end += ": " + std::string(to_string(control.cut->reason));
    if (!result.detail.empty()) end += ": " + result.detail;
    end += "\"";
    if (held) end += " held_error=\"" + std::string(to_string(*held)) + "\"";
    return end;
}

}  // namespace

// What a relay round leaves for the session to act on once it ended.
struct relay_round {
    relay_result& result;
    const client_frames& from_client;
    server_frames& from_server;
    route_counters& route;
    std::optional<counted_open>& backend_count;  // the node connection, counted while open
    cancel_key_swap& cancel_key;
    bool log_session;
};

// What follows a relay round.
enum class next_round : std::uint8_t {
    none,                 // the session ended
    idle,                 // it moved, idle
    statement_in_flight,  // it moved, and its statement runs again there
};

// After a relay round the session moves (it relays again, to its new node) or ends, its client
// hearing its last word at once or in answer to its next message. A coroutine of its own: what
// it needs is not kept in the frame of every idle session.
asio::awaitable<next_round> after_relay(session_state& s, relay_round round) {
    auto& control = s.registration->control();
    relay_result& result = round.result;
    const client_frames& from_client = round.from_client;
    server_frames& from_server = round.from_server;
    const std::string from_node = control.node_name;
    if (result.end == relay_end::stopped && !from_server.violation().empty()) {
        result.end = relay_end::server_protocol_violation;
        result.detail = from_server.violation();
    }
    const bool node_spoke = !from_server.held_error().empty();
    if (node_spoke) {
        result.end = relay_end::server_closed;
        result.detail = "its ErrorResponse reached the session idle";
    } else if (control.cut && result.interrupted) {
        result.end = relay_end::cut;
        round.route.cuts_for(control.cut->reason).add();
    }
    if (const auto cause = move_cause(s, result, control, from_server)) {
        const std::optional<cut_order> order = control.cut;
        round.backend_count.reset();
        std::string failed = co_await move_session(s, round.cancel_key);
        const bool runs_again = from_server.retry_due();
        if (failed.empty() && runs_again) failed = co_await run_statement_again(s, from_node);
        if (failed.empty()) {
            s.counters().moved(*cause).add();
            if (runs_again) s.counters().statements_retried.add();
            if (round.log_session) {
                s.worker.log.info(s.label.text() + " moved from node " + quoted(from_node) + " (" +
                                  std::string(to_string(*cause)) + ")" +
                                  (runs_again ? ", running its statement again" : ""));
            }
            co_return runs_again ? next_round::statement_in_flight : next_round::idle;
        }
        s.worker.log.warn(s.label.text() + " could not move from node " + quoted(from_node) + " (" +
                          std::string(to_string(*cause)) + "): " + failed);
        // The client hears why it lost its session: pgroute's cut, or the node's FATAL.
        control.cut = order;
        explain_lost_session(control, from_server, failed);
    } else if (const auto pin = s.pinned_by();
               pin && (result.end == relay_end::cut || node_spoke)) {
        explain_lost_session(control, from_server, "it used " + std::string(*pin));
    }
    // A client's malformed frame never reached its handler, which would have ended idleness;
    // nor did the start of a message the relay read as it stopped (the client sent its next
    // statement just then, and waits for its answer: holding would hang it).
    const bool clients_turn = from_server.clients_turn() && result.client_input_intact &&
                              result.end != relay_end::client_protocol_violation;
    const std::string last_word = last_word_for(result, control, from_client, from_server);
    std::optional<hold_end> held;
    // Not while pgroute shuts down: the drain cannot wait for the client's next message.
    if (!last_word.empty() && clients_turn && s.cfg().limits.idle_error_hold.count() > 0 &&
        !s.worker.admission.stopping()) {
        round.backend_count.reset();
        held = co_await hold_for_next_message(s, last_word);
    } else if (s.client_tls && !last_word.empty()) {
        co_await send_last_word(*s.client_tls, last_word);
    } else if (!last_word.empty()) {
        co_await send_last_word(s.client, last_word);
    }
    if (round.log_session) s.worker.log.info(end_line(s, result, held));
    // The session is over (and no longer counted) while the socket waits for the client to
    // close.
    if (result.end != relay_end::client_closed && result.end != relay_end::client_error &&
        held != hold_end::client_left) {
        s.client_tls.reset();  // it refers to the socket about to move
        asio::co_spawn(s.client.get_executor(),
                       close_after_last_word(std::move(s.client), last_word_linger),
                       asio::detached);
    }
    co_return next_round::none;
}

namespace {

// pgroute_sessions_pinned counts the session until it ends, however it ends.
struct pinned_until_end {
    explicit pinned_until_end(const session_state& session) : s(session) {}
    pinned_until_end(const pinned_until_end&) = delete;
    pinned_until_end& operator=(const pinned_until_end&) = delete;
    ~pinned_until_end() {
        if (s.pinned_by()) s.counters().pinned_ended.add();
    }
    const session_state& s;
};

// What one relay round runs with: its node's meters and the frame handlers.
struct round_state {
    round_state(session_state& s, session_control& control, cancel_key_swap& cancel_key,
                route_counters& node_route)
        : route(node_route),
          backend_count(std::in_place, route.backend_opened, route.backend_closed),
          queries(route),
          replay(s.replay.get(), s.retry.get(), s.counters().pinned),
          from_client(control, queries, replay),
          from_server(control, queries, cancel_key, steering, s.negotiation, replay) {}

    route_counters& route;
    std::optional<counted_open> backend_count;  // the node connection, counted while open
    query_clock queries;
    relay_control steering;
    replay_tap replay;
    client_frames from_client;
    server_frames from_server;
};

// A session from its first relay round to its end. While a relay runs, this object on the heap
// is all the session has (the relay's completion owns it); once a round ends, a coroutine of its
// own decides what follows (after_relay), and starts the next round or ends the session.
class carried_session final : relay_completion {
  public:
    explicit carried_session(std::unique_ptr<session_state> session)
        : s_(std::move(session)),
          cancel_key_(s_->worker.issued_cancel_keys,
                      s_->routed.topology->nodes[*s_->routed.decision.node].address),
          pinned_gauge_{*s_},
          // Checked before the lines are built, not only in the logger: at log_level warn a
          // session then formats nothing.
          log_session_(s_->worker.log.enabled(log_level::info)) {}

    // Owned by its relay from here until the relay ends.
    static void start(std::unique_ptr<carried_session> self, next_round round) {
        self->begin_round(round);
        static_cast<void>(self.release());
    }

  private:
    void begin_round(next_round round) {
        session_state& s = *s_;
        const auto& node = s.routed.topology->nodes[*s.routed.decision.node];
        std::error_code ignored;
        s.server.set_option(tcp::no_delay(true), ignored);
        auto& control = s.registration->control();
        round_.emplace(s, control, cancel_key_,
                       s.worker.metrics.route(s.endpoint_index, node.address.name));
        if (round == next_round::statement_in_flight) {
            round_->queries.cycle_sent(query_clock::clock::now());
        }
        control.relay = &round_->steering;
        relay_streams(s,
                      {round_->from_client,
                       round_->from_server,
                       round_->steering,
                       {round_->route.bytes_from_client, round_->route.bytes_from_server}},
                      *this);
    }

    void relay_ended(relay_result result) override {
        std::unique_ptr<carried_session> self(this);
        s_->registration->control().relay = nullptr;
        const auto executor = s_->client.get_executor();
        const session_failure_log failed{s_->worker.log};
        // Called from the worker's event loop, which an exception must not leave: one that
        // comes before the coroutine runs (its frame's allocation) ends the session here.
        try {
            asio::co_spawn(executor, finish_round(std::move(self), std::move(result)), failed);
        } catch (...) {
            failed(std::current_exception());
        }
    }

    static asio::awaitable<void> finish_round(std::unique_ptr<carried_session> self,
                                              relay_result result) {
        round_state& r = *self->round_;
        const next_round next = co_await after_relay(
            *self->s_, {result, r.from_client, r.from_server, r.route, r.backend_count,
                        self->cancel_key_, self->log_session_});
        self->round_.reset();
        if (next != next_round::none) start(std::move(self), next);
    }

    std::unique_ptr<session_state> s_;  // first: what follows refers to it
    // The client's cancel key, for the whole session: a move points it at the new backend.
    cancel_key_swap cancel_key_;
    pinned_until_end pinned_gauge_;
    bool log_session_;
    std::optional<round_state> round_;
};

}  // namespace

void carry_session(std::unique_ptr<session_state> s) {
    // Failures here surface as errors on the first read or write of the relay.
    std::error_code ignored;
    s->client.set_option(tcp::no_delay(true), ignored);
    s->client.non_blocking(true, ignored);
    if (s->worker.log.enabled(log_level::info)) s->worker.log.info(s->label.text() + " start");
    if (s->credentials) {
        s->replay = std::make_unique<session_replay>(s->cfg().limits.max_session_state);
        s->retry = std::make_unique<statement_retry>();
    }
    carried_session::start(std::make_unique<carried_session>(std::move(s)), next_round::idle);
}

}  // namespace pgroute::proxy
