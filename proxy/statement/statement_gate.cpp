#include "proxy/statement/statement_gate.h"

#include <array>
#include <cctype>

namespace pgroute::proxy {

namespace {

bool is_word_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

bool same_word(std::string_view word, std::string_view lower) {
    if (word.size() != lower.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(word[i])) != lower[i]) return false;
    }
    return true;
}

bool contains(std::string_view word, std::string_view lower) {
    for (std::size_t i = 0; i + lower.size() <= word.size(); ++i) {
        if (same_word(word.substr(i, lower.size()), lower)) return true;
    }
    return false;
}

// Words one of which every session-changing statement holds. A keyword may be quoted or written
// in any case; "advisory" is found inside pg_advisory_lock and its siblings.
constexpr std::array<std::string_view, 11> session_words{
    "set_config", "temp",    "temporary", "pg_temp", "listen",    "load",
    "discard",    "prepare", "declare",   "do",      "deallocate"};

// SET and RESET change the session only leading a statement: UPDATE's SET, ALTER ROLE's and
// CREATE FUNCTION's do not, and pgbench's UPDATE need not wake the parser. Leading here is after
// the text's start, a semicolon, a line break or a comment's closing slash, which is true of
// every leading one and of few others.
constexpr std::array<std::string_view, 2> leading_session_words{"set", "reset"};

bool at_statement_start(std::string_view sql, std::size_t at) {
    while (at > 0 && (sql[at - 1] == ' ' || sql[at - 1] == '\t' || sql[at - 1] == '\r'))
        --at;
    return at == 0 || sql[at - 1] == ';' || sql[at - 1] == '\n' || sql[at - 1] == '/';
}

template <typename Match>
bool any_word(std::string_view sql, Match match) {
    std::size_t at = 0;
    while (at < sql.size()) {
        if (!is_word_char(sql[at])) {
            ++at;
            continue;
        }
        const std::size_t begin = at;
        while (at < sql.size() && is_word_char(sql[at]))
            ++at;
        if (match(sql.substr(begin, at - begin), at_statement_start(sql, begin))) return true;
    }
    return false;
}

bool is_one_of(std::string_view word, const auto& words) {
    for (const std::string_view candidate : words) {
        if (same_word(word, candidate)) return true;
    }
    return false;
}

}  // namespace

bool may_change_session(std::string_view sql) {
    return any_word(sql, [](std::string_view word, bool leading) {
        return contains(word, "advisory") || is_one_of(word, session_words) ||
               (leading && is_one_of(word, leading_session_words));
    });
}

bool names_session_state(std::string_view text) {
    constexpr std::array<std::string_view, 10> state_words{
        "set",     "reset",  "set_config", "temp", "temporary",
        "pg_temp", "listen", "prepare",    "load", "discard"};
    return any_word(text, [&](std::string_view word, bool /*leading*/) {
        return (contains(word, "advisory") && !contains(word, "xact")) ||
               is_one_of(word, state_words);
    });
}

}  // namespace pgroute::proxy
