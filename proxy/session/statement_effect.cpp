#include "proxy/session/statement_effect.h"

#include <array>
#include <cctype>

#include "proxy/session/statement_words.h"

namespace pgroute::proxy {

namespace {

using kind = statement_effect::kind;

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

bool contains_word(std::string_view word, std::string_view lower) {
    for (std::size_t i = 0; i + lower.size() <= word.size(); ++i) {
        if (same_word(word.substr(i, lower.size()), lower)) return true;
    }
    return false;
}

struct raw_scan {
    std::string_view pin;         // a word anywhere that pins: TEMP, an advisory lock...
    bool may_lead_state = false;  // a word that, leading a statement, may set or pin
};

constexpr std::array<std::string_view, 8> state_leaders{
    "set", "reset", "prepare", "listen", "declare", "load", "discard", "deallocate"};

// Every word of the raw text, strings and comments included: what pins wherever it is written,
// and whether any statement could lead with a word that matters (most texts have none, and are
// done with here).
raw_scan scan_words(std::string_view sql) {
    raw_scan scan;
    std::size_t at = 0;
    while (at < sql.size()) {
        if (!is_word_char(sql[at])) {
            ++at;
            continue;
        }
        const std::size_t begin = at;
        while (at < sql.size() && is_word_char(sql[at]))
            ++at;
        const std::string_view word = sql.substr(begin, at - begin);
        if (same_word(word, "temp") || same_word(word, "temporary")) {
            scan.pin = "temporary objects";
        } else if (same_word(word, "set_config")) {
            scan.pin = "set_config()";
        } else if (contains_word(word, "advisory") && !contains_word(word, "xact")) {
            scan.pin = "a session advisory lock";
        }
        if (!scan.pin.empty()) return scan;
        for (const std::string_view leader : state_leaders) {
            scan.may_lead_state = scan.may_lead_state || same_word(word, leader);
        }
    }
    return scan;
}

struct leading_pin {
    std::string_view word;
    std::string_view reason;
};

constexpr std::array<leading_pin, 8> leading_pins{{
    {"set", "SET"},
    {"reset", "RESET"},
    {"prepare", "PREPARE"},
    {"listen", "LISTEN"},
    {"declare", "a cursor (DECLARE)"},
    {"load", "LOAD"},
    {"discard", "DISCARD"},
    {"deallocate", "DEALLOCATE"},
}};

// SET forms that last only until the transaction ends.
bool transaction_scoped(std::string_view word) {
    return word == "local" || word == "transaction" || word == "constraints";
}

// The setting a SET or RESET names from words[at], with the grammar's aliases resolved so that a
// RESET finds the SET it undoes; empty when there is none.
std::string setting_named(const leading_words& words, std::size_t at) {
    if (at >= words.size()) return {};
    const std::string& word = words[at];
    const std::string_view next = at + 1 < words.size() ? std::string_view(words[at + 1]) : "";
    if (word == "time" && next == "zone") return "timezone";
    if (word == "session" && next == "authorization") return "session_authorization";
    if (word == "schema") return "search_path";
    if (word == "names") return "client_encoding";
    return word;
}

statement_effect pinned(std::string_view why) {
    return {kind::pins, why, {}};
}

// A text that is one SET or RESET statement.
statement_effect setting_effect(const leading_words& words) {
    if (words[0] == "reset") {
        if (words.size() > 1 && words[1] == "all") return {kind::resets_all, {}, {}};
        std::string setting = setting_named(words, 1);
        if (setting.empty()) return {};  // the node refuses it
        return {kind::resets, {}, std::move(setting)};
    }
    std::size_t at = 1;
    if (at < words.size() && transaction_scoped(words[at])) return {};
    if (at + 1 < words.size() && words[at] == "session" && words[at + 1] != "authorization") {
        if (words[at + 1] == "characteristics") return pinned("SET SESSION CHARACTERISTICS");
        ++at;
    }
    std::string setting = setting_named(words, at);
    if (setting.empty()) return {};
    return {kind::sets, {}, std::move(setting)};
}

}  // namespace

statement_effect statement_effect_of(std::string_view sql) {
    const raw_scan scan = scan_words(sql);
    if (scan.pin.empty() && !scan.may_lead_state) return {};
    const auto statements = statements_of(sql, 4);
    if (!statements) return pinned("a statement pgroute could not read");
    if (statements->size() == 1 && !statements->front().empty()) {
        const leading_words& words = statements->front();
        // A SET's value is a literal: a word in it creates nothing.
        if (words[0] == "set" || words[0] == "reset") return setting_effect(words);
    }
    if (!scan.pin.empty()) return pinned(scan.pin);
    for (const leading_words& words : *statements) {
        if (words.empty()) continue;
        if (words[0] == "set" && words.size() > 1 && transaction_scoped(words[1])) continue;
        for (const auto& pin : leading_pins) {
            if (words[0] == pin.word) return pinned(pin.reason);
        }
    }
    return {};
}

}  // namespace pgroute::proxy
