#include "proxy/session/session_pins.h"

#include <array>
#include <cctype>
#include <string>

#include "protocol/byte_reader.h"
#include "protocol/message_type.h"

namespace pgroute::proxy {

namespace {

bool is_word_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// Lowercase, as SQL keywords are case-insensitive.
std::string lowered(std::string_view word) {
    std::string out(word);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
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
bool transaction_scoped_set(std::string_view next_word) {
    return next_word == "local" || next_word == "transaction" || next_word == "constraints";
}

}  // namespace

std::optional<std::string_view> pinning_statement(std::string_view sql) {
    bool statement_start = true;
    std::string pending_set;  // "set" seen at a statement's start, deciding on the next word
    std::size_t at = 0;
    while (at < sql.size()) {
        if (sql[at] == ';') {
            if (!pending_set.empty()) return "SET";
            statement_start = true;
            ++at;
            continue;
        }
        if (!is_word_char(sql[at])) {
            ++at;
            continue;
        }
        const std::size_t begin = at;
        while (at < sql.size() && is_word_char(sql[at]))
            ++at;
        const std::string word = lowered(sql.substr(begin, at - begin));
        if (!pending_set.empty()) {
            if (!transaction_scoped_set(word)) return "SET";
            pending_set.clear();
        }
        if (word == "temp" || word == "temporary") return "temporary objects";
        if (word == "set_config") return "set_config()";
        if (word.find("advisory") != std::string::npos && word.find("xact") == std::string::npos) {
            return "a session advisory lock";
        }
        if (statement_start) {
            statement_start = false;
            if (word == "set") {
                pending_set = word;
                continue;
            }
            for (const auto& pin : leading_pins) {
                if (word == pin.word) return pin.reason;
            }
        }
    }
    if (!pending_set.empty()) return "SET";
    return std::nullopt;
}

std::optional<std::string_view> pinning_message(char type, std::string_view body, bool whole) {
    if (type != protocol::PqMsg_Query && type != protocol::PqMsg_Parse) return std::nullopt;
    if (!whole) return "a statement too long to look at";
    protocol::byte_reader in(body);
    if (type == protocol::PqMsg_Parse) {
        const std::string_view name = in.cstring();
        if (!name.empty()) return "a named prepared statement";
    }
    const std::string_view sql = in.cstring();
    if (in.failed()) return std::nullopt;  // the node will refuse it: nothing is created
    return pinning_statement(sql);
}

}  // namespace pgroute::proxy
