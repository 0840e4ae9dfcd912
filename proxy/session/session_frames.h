// What a session does with the frames it relays, as the relay's frame_handlers: from the client,
// any message ends idleness and some start a query cycle; from the node, the first message
// settles the protocol version (and the client hears pgroute's NegotiateProtocolVersion if it
// asked for more than pgroute speaks), ReadyForQuery tells when the session is idle (where a
// deferred cut lands) and ends a cycle, BackendKeyData is swapped for a key of pgroute's own,
// SCRAM channel binding is hidden from the mechanisms offered (see
// protocol/sasl_mechanisms.h), and an ErrorResponse that reaches an idle session (the node's
// FATAL as it shuts down) ends the relay unsent, kept for the client's next message, as does the
// FATAL that ends a statement which may run again on another node.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/protocol_version.h"
#include "proxy/cancel/cancel_keys.h"
#include "proxy/metrics/query_clock.h"
#include "proxy/relay/frame_handler.h"
#include "proxy/relay/relay.h"
#include "proxy/routing/session_registry.h"
#include "proxy/session/session_replay.h"
#include "proxy/session/statement_retry.h"

namespace pgroute::proxy {

// Proxy mode: shows a session's replay (session_replay.h) and its statement retry
// (statement_retry.h) what passes both ways, and counts the session pinned once it is, whichever
// side's message pinned it.
class replay_tap {
  public:
    // `replay` and `retry` null: passthrough mode, nothing to learn.
    replay_tap(session_replay* replay, statement_retry* retry, counter& pinned)
        : replay_(replay), retry_(retry), pinned_(pinned) {}

    [[nodiscard]] bool wants_client_body(char type) const {
        return replay_ != nullptr && replay_->wants_client_body(type);
    }
    [[nodiscard]] bool wants_server_body(char type) const {
        return replay_ != nullptr && session_replay::wants_server_body(type);
    }
    // `session_idle`: the session was idle before this message.
    void client(const protocol::frame_header& header, std::span<const char> body,
                bool session_idle);
    void server(const protocol::frame_header& header, std::span<const char> body);

    // A statement is kept that may run again on another node.
    [[nodiscard]] bool keeps_statement() const {
        return retry_ != nullptr && retry_->keeps_statement();
    }
    // The node's ErrorResponse ends the kept statement before it could commit: the statement
    // runs again where the session moves, so neither the client nor the replay hears of it.
    [[nodiscard]] bool ends_kept_statement(const protocol::frame_header& header,
                                           std::span<const char> body) const;

  private:
    void count_pin(bool was_pinned);

    session_replay* replay_;
    statement_retry* retry_;
    counter& pinned_;
};

class client_frames final : public frame_handler {
  public:
    client_frames(session_control& control, query_clock& queries, replay_tap& replay)
        : control_(control), queries_(queries), replay_(replay) {}

    [[nodiscard]] bool wants_body(char type) const override;
    [[nodiscard]] protocol::frame_verdict on_frame(const protocol::frame_header& header,
                                                   std::span<char> body) override;
    [[nodiscard]] bool stop_due() const override { return control_.cut_due(); }

    // A server closing after this is not news to the client.
    [[nodiscard]] bool sent_terminate() const { return sent_terminate_; }

  private:
    session_control& control_;
    query_clock& queries_;
    replay_tap& replay_;
    bool sent_terminate_ = false;
};

class server_frames final : public frame_handler {
  public:
    server_frames(session_control& control, query_clock& queries, cancel_key_swap& cancel_key,
                  relay_control& relay, const protocol::startup_negotiation& negotiation,
                  replay_tap& replay)
        : control_(control),
          queries_(queries),
          cancel_key_(cancel_key),
          relay_(relay),
          negotiation_(negotiation),
          replay_(replay) {}

    [[nodiscard]] bool wants_body(char type) const override;
    [[nodiscard]] protocol::frame_verdict on_frame(const protocol::frame_header& header,
                                                   std::span<char> body) override;
    void on_held() override;
    [[nodiscard]] bool stop_due() const override { return control_.cut_due(); }

    // Its last frame was an ErrorResponse: the node spoke for itself.
    [[nodiscard]] bool ended_with_error() const { return last_was_error_; }
    // ReadyForQuery 'I' was the node's last word, and the client has sent nothing since: the
    // client is not reading.
    [[nodiscard]] bool idle() const { return control_.idle && queries_.in_flight() == 0; }
    // The node answered everything the client sent (a ReadyForQuery of any status came last):
    // the client, idle or inside a transaction, is not reading until it sends again.
    [[nodiscard]] bool clients_turn() const {
        return control_.clients_turn && queries_.in_flight() == 0;
    }
    // The node's FATAL ended a statement that runs again where the session moves (the relay
    // stopped before it; held_error() has it, for the client if the session cannot move).
    [[nodiscard]] bool retry_due() const { return retry_due_; }
    // The ErrorResponse, whole, that the node sent between the client's messages, or that ended a
    // statement to run again (then the relay stopped before it): the client is not reading, or
    // waits for the statement's answer. Empty otherwise.
    [[nodiscard]] std::string& held_error() { return held_error_; }
    // Why it stopped the relay, if it did: a message of the node's that must not reach the
    // client (its own cancel key, a negotiation that contradicts pgroute's offer).
    [[nodiscard]] const std::string& violation() const { return violation_; }

  private:
    [[nodiscard]] protocol::frame_verdict settle_version(const protocol::frame_header& header,
                                                         std::span<char> body);
    [[nodiscard]] protocol::frame_verdict relay_frame(const protocol::frame_header& header,
                                                      std::span<char> body);
    [[nodiscard]] protocol::frame_verdict refuse(std::string why);

    session_control& control_;
    query_clock& queries_;
    cancel_key_swap& cancel_key_;
    relay_control& relay_;
    const protocol::startup_negotiation& negotiation_;
    replay_tap& replay_;
    // The protocol version the session speaks, once the node's first message settled it.
    std::optional<std::uint32_t> version_;
    // pgroute's NegotiateProtocolVersion for the client, while it waits for the held frame.
    std::string answer_;
    bool answer_replaces_held_ = false;  // the held frame is the node's own, superseded
    bool last_was_error_ = false;
    bool retry_due_ = false;
    std::string held_error_;
    std::string violation_;
};

}  // namespace pgroute::proxy
