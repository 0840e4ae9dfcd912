// Proxy mode: what a session's backend holds that pgroute rebuilds on the node the session moves
// to, learnt from the traffic as the relay shows it: the settings its client changed (SET, RESET,
// DISCARD ALL, as the node accepted them) and its protocol-level named prepared statements (Parse,
// as the node answered ParseComplete; Close). Or why it cannot move (what pins it:
// statement_effect.h).
//
// A change counts once the node has answered for it: a Parse at its ParseComplete, a Close at its
// CloseComplete (an error skips the rest of its cycle: those never ran), a SET or RESET at the
// ReadyForQuery that ends its cycle, dropped if the cycle failed. A SET whose cycle ends inside a
// transaction block pins: its fate is the transaction's (a ROLLBACK undoes it).
//
// Replayed in the order the node accepted them, a prepared statement after the settings it was
// parsed under (its names resolve with that search_path), so an earlier value of a setting is
// forgotten only when no prepared statement came after it. Pure: the relay's frame handlers feed
// it, the move replays what rebuild_messages() returns; unit-tested without sockets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/statement/statement_effect.h"

namespace pgroute::proxy {

class session_replay {
  public:
    // `memory_limit`: the bytes of statements it keeps at most; a session that needs more pins.
    explicit session_replay(std::size_t memory_limit) : memory_limit_(memory_limit) {}

    // The message types whose bodies it reads: from the client while it may still move, and
    // from the node (only ReadyForQuery's; the others count by type).
    [[nodiscard]] bool wants_client_body(char type) const;
    [[nodiscard]] static bool wants_server_body(char type);

    // A client's message; `whole` is false when the relay shows only the start of its body.
    void from_client(char type, std::string_view body, bool whole);
    // A node's message.
    void from_server(char type, std::string_view body);

    // What pins the session to its node, once something does.
    [[nodiscard]] std::optional<std::string_view> pinned_by() const { return pin_; }

    // The messages that rebuild the session on a freshly logged-in node: Query messages with the
    // settings, Parse messages with a Sync after each run of them; empty when there is nothing.
    [[nodiscard]] std::string rebuild_messages() const;
    // How many ReadyForQuery messages answer them.
    [[nodiscard]] std::size_t rebuild_cycles() const;

    [[nodiscard]] std::size_t settings() const;
    [[nodiscard]] std::size_t prepared_statements() const;

  private:
    enum class item_kind : std::uint8_t { setting, prepared, parse, close };

    // An accepted change (setting, prepared) or one waiting for the node's answer.
    struct item {
        item_kind kind;
        std::uint64_t cycle = 0;  // pending: the query cycle it belongs to
        std::string name;         // the setting's, or the prepared statement's
        std::string message;      // a setting's statement text; a Parse message whole
        setting_change::kind effect = setting_change::kind::sets;  // a setting's
    };

    void pin(std::string_view why);
    void client_query(std::string_view body, bool whole);
    void client_parse(std::string_view body, bool whole);
    void client_close(std::string_view body, bool whole);
    void completed(item_kind kind);
    void cycle_failed();
    void cycle_ended(std::string_view ready_for_query);
    void keep_pending(item change);
    void accept_setting(item change);
    void forget(item_kind kind, const std::string& name);
    // Pending changes of `cycle` that will not happen; with `extended_only`, not its settings
    // (those wait for the cycle's ReadyForQuery).
    void drop_pending(std::uint64_t cycle, bool extended_only);

    std::size_t memory_limit_;
    std::size_t memory_ = 0;
    std::optional<std::string_view> pin_;
    std::vector<item> accepted_;  // in the order the node accepted them
    std::vector<item> pending_;   // in the order the client sent them
    std::uint64_t cycles_sent_ = 0;
    std::uint64_t cycles_answered_ = 0;
    bool answered_cycle_failed_ = false;
};

}  // namespace pgroute::proxy
