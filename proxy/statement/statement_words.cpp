#include "proxy/statement/statement_words.h"

#include <cctype>

namespace pgroute::proxy {

namespace {

bool starts_word(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
}

// Inside a word: also digits and '$', and '.' so that a qualified setting ("app.tenant") is one.
bool continues_word(char c) {
    return starts_word(c) || std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '$' ||
           c == '.';
}

std::string lowered(std::string_view word) {
    std::string out(word);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

class lexer {
  public:
    explicit lexer(std::string_view sql) : sql_(sql) {}

    // Past the quoted text opening at `at_` (a ' or a "), doubled quotes inside; with
    // `backslashes`, an E'' string's escapes too. False if it does not end.
    bool skip_quoted(bool backslashes) {
        const char quote = sql_[at_++];
        while (at_ < sql_.size()) {
            const char c = sql_[at_++];
            if (backslashes && c == '\\') {
                ++at_;
            } else if (c == quote) {
                if (at_ < sql_.size() && sql_[at_] == quote) {
                    ++at_;
                } else {
                    return true;
                }
            }
        }
        return false;
    }

    // `at_` is on a '$': past a dollar-quoted string ($$...$$, $tag$...$tag$) if one opens there,
    // else past the '$' of a parameter ($1). False if the string does not end.
    bool skip_dollar() {
        std::size_t end = at_ + 1;
        while (end < sql_.size() && continues_word(sql_[end]) && sql_[end] != '$' &&
               sql_[end] != '.')
            ++end;
        if (end >= sql_.size() || sql_[end] != '$' ||
            (end > at_ + 1 && !starts_word(sql_[at_ + 1]))) {
            ++at_;
            return true;
        }
        const std::string_view tag = sql_.substr(at_, end + 1 - at_);
        const std::size_t close = sql_.find(tag, end + 1);
        if (close == std::string_view::npos) return false;
        at_ = close + tag.size();
        return true;
    }

    // Past a /* */ comment, which nests in PostgreSQL. False if it does not end.
    bool skip_block_comment() {
        int depth = 0;
        while (at_ + 1 < sql_.size()) {
            if (sql_[at_] == '/' && sql_[at_ + 1] == '*') {
                ++depth;
                at_ += 2;
            } else if (sql_[at_] == '*' && sql_[at_ + 1] == '/') {
                at_ += 2;
                if (--depth == 0) return true;
            } else {
                ++at_;
            }
        }
        return false;
    }

    std::optional<std::vector<leading_words>> run(std::size_t max_words) {
        std::vector<leading_words> statements;
        bool open = false;  // a token of the current statement has been seen
        const auto note = [&](std::string word) {
            if (!open) statements.emplace_back();
            open = true;
            if (!word.empty() && statements.back().size() < max_words) {
                statements.back().push_back(std::move(word));
            }
        };
        while (at_ < sql_.size()) {
            const char c = sql_[at_];
            const char next = at_ + 1 < sql_.size() ? sql_[at_ + 1] : '\0';
            if (c == ';') {
                open = false;
                ++at_;
            } else if (std::isspace(static_cast<unsigned char>(c)) != 0) {
                ++at_;
            } else if (c == '-' && next == '-') {
                const std::size_t end = sql_.find('\n', at_);
                at_ = end == std::string_view::npos ? sql_.size() : end;
            } else if (c == '/' && next == '*') {
                if (!skip_block_comment()) return std::nullopt;
            } else if (c == '\'') {
                if (!skip_quoted(false)) return std::nullopt;
                note({});
            } else if (c == '"') {
                const std::size_t begin = at_ + 1;
                if (!skip_quoted(false)) return std::nullopt;
                note(lowered(sql_.substr(begin, at_ - 1 - begin)));
            } else if (c == '$') {
                if (!skip_dollar()) return std::nullopt;
                note({});
            } else if ((c == 'e' || c == 'E') && next == '\'') {
                ++at_;
                if (!skip_quoted(true)) return std::nullopt;
                note({});
            } else if (starts_word(c)) {
                const std::size_t begin = at_;
                while (at_ < sql_.size() && continues_word(sql_[at_]))
                    ++at_;
                note(lowered(sql_.substr(begin, at_ - begin)));
            } else {
                ++at_;
                note({});
            }
        }
        return statements;
    }

  private:
    std::string_view sql_;
    std::size_t at_ = 0;
};

}  // namespace

std::optional<std::vector<leading_words>> statements_of(std::string_view sql,
                                                        std::size_t max_words) {
    return lexer(sql).run(max_words);
}

}  // namespace pgroute::proxy
