// What a statement text (a Query's, or a Parse's) leaves in its backend session that matters when
// the session moves to another node (auth.mode: proxy): a setting to replay there (SET, RESET),
// or state that pgroute cannot rebuild, which pins the session to its node. A cheap look at the
// words, not a parse: TEMP, an advisory lock or set_config() inside a string or a comment counts
// too (a function or a DO block may do anything unseen), so it errs towards pinning where it errs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pgroute::proxy {

struct statement_effect {
    enum class kind : std::uint8_t {
        none,        // nothing that outlives the transaction
        pins,        // `pin`: what cannot be rebuilt elsewhere
        sets,        // a session-level SET of `setting`
        resets,      // RESET of `setting`
        resets_all,  // RESET ALL
    };
    kind what = kind::none;
    std::string_view pin;  // kind::pins: what pins, as the client will be told
    std::string setting;   // kind::sets and kind::resets: its name, lowercased, aliases resolved
};

// A statement text's effect. A SET or RESET counts as one only as the whole text (a single
// statement); among others, it pins. SET LOCAL, SET TRANSACTION and SET CONSTRAINTS end with the
// transaction. PREPARE, LISTEN, DECLARE, LOAD, DISCARD, DEALLOCATE, SET SESSION
// CHARACTERISTICS, temporary objects, session advisory locks and set_config() pin.
[[nodiscard]] statement_effect statement_effect_of(std::string_view sql);

}  // namespace pgroute::proxy
