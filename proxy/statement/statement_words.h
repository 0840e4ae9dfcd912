// The leading words of each statement in a SQL text, as far as deciding what a statement does to
// its session needs them: split at semicolons outside string literals, quoted identifiers and
// comments, which a plain search for words would be fooled by ("SET application_name = 'a;b'" is
// one statement). A lexer of PostgreSQL's tokens, not a parser.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgroute::proxy {

// One statement's first words, lowercased (keywords and names are case-insensitive, a quoted
// identifier's is kept without its quotes); literals, numbers and punctuation are not words.
using leading_words = std::vector<std::string>;

// Up to `max_words` leading words of every non-empty statement in `sql`; nullopt when a literal,
// a quoted identifier or a comment does not end (the node will refuse the text; the caller
// cannot tell what it holds).
[[nodiscard]] std::optional<std::vector<leading_words>> statements_of(std::string_view sql,
                                                                      std::size_t max_words);

}  // namespace pgroute::proxy
