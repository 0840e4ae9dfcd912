// What a statement text (a Query's, or a Parse's) leaves in its backend session that matters when
// the session moves to another node (auth.mode: proxy): settings to replay there (SET, RESET,
// DISCARD ALL), or state that pgroute cannot rebuild, which pins the session to its node.
//
// Read with PostgreSQL's own parser (libpg_query, the grammar of PostgreSQL 15), but only for the
// texts a look at their words says may change the session (statement_gate.h): the parser costs
// tens of microseconds, the look well under one. Where it cannot tell, it pins: a text the parser
// refuses, a DO block whose body names session state. What a function does when called is not
// seen (README: "What pins a session").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pgroute::proxy {

// One statement of the text that changes a setting for the rest of the session.
struct setting_change {
    enum class kind : std::uint8_t {
        sets,          // SET `setting`
        resets,        // RESET `setting` (and SET `setting` TO DEFAULT)
        resets_all,    // RESET ALL
        discards_all,  // DISCARD ALL: every setting and prepared statement
    };
    kind what = kind::sets;
    std::string setting;  // sets, resets: its name as PostgreSQL resolves it ("timezone")
    std::string text;     // the statement's own text, to run on the new node
};

struct statement_effect {
    std::string_view pin;  // what pins the session, as the client will be told; empty if nothing
    std::vector<setting_change> changes;  // in the order they run

    [[nodiscard]] bool leaves_nothing() const { return pin.empty() && changes.empty(); }
};

// A statement text's effect. SET LOCAL, SET TRANSACTION, SET CONSTRAINTS, DECLARE without HOLD,
// transaction-level advisory locks and set_config(..., true) end with the transaction and leave
// nothing. Temporary objects, LISTEN, SQL PREPARE and DEALLOCATE, WITH HOLD cursors, LOAD,
// session advisory locks, set_config(..., false), SET SESSION CHARACTERISTICS, and a SET in the
// same text as a transaction statement (its fate is that transaction's) pin.
[[nodiscard]] statement_effect statement_effect_of(std::string_view sql);

}  // namespace pgroute::proxy
