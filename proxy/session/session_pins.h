// Whether what a client sends may leave state in its backend session that pgroute cannot rebuild
// on another node, which pins the session to its node (auth.mode: proxy moves only unpinned
// sessions). A cheap look at the words, not a parse: a word inside a string or a comment counts
// too, and a function may do anything unseen, so it errs towards pinning where it errs.
#pragma once

#include <optional>
#include <string_view>

namespace pgroute::proxy {

// What a statement text (a Query's, or a Parse's) does that pins, or nullopt: a statement that
// starts with SET (not SET LOCAL, SET TRANSACTION, SET CONSTRAINTS: those end with the
// transaction), RESET, PREPARE, LISTEN, DECLARE, LOAD, DISCARD or DEALLOCATE; the words TEMP or
// TEMPORARY anywhere; a session advisory lock; set_config().
[[nodiscard]] std::optional<std::string_view> pinning_statement(std::string_view sql);

// The same for a whole frontend message body of `type`: a Query's text; a Parse's, or its
// statement name when it has one (a named prepared statement lives in the backend). `whole`
// is false when the relay shows only the start of a message too long for its buffer: that pins.
[[nodiscard]] std::optional<std::string_view> pinning_message(char type, std::string_view body,
                                                              bool whole);

}  // namespace pgroute::proxy
