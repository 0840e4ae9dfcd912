#include "proxy/migrate/haproxy_parser.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace pgroute::proxy::migrate {
namespace {

struct section_keyword {
    std::string_view word;
    section_kind kind;
};

// Every section HAProxy 2.x and 3.x knows; only the first five can hold what pgroute routes by.
constexpr std::array section_keywords{
    section_keyword{"global", section_kind::global},
    section_keyword{"defaults", section_kind::defaults},
    section_keyword{"listen", section_kind::listen},
    section_keyword{"frontend", section_kind::frontend},
    section_keyword{"backend", section_kind::backend},
    section_keyword{"peers", section_kind::other},
    section_keyword{"resolvers", section_kind::other},
    section_keyword{"userlist", section_kind::other},
    section_keyword{"mailers", section_kind::other},
    section_keyword{"program", section_kind::other},
    section_keyword{"http-errors", section_kind::other},
    section_keyword{"ring", section_kind::other},
    section_keyword{"cache", section_kind::other},
    section_keyword{"fcgi-app", section_kind::other},
    section_keyword{"log-forward", section_kind::other},
    section_keyword{"crt-store", section_kind::other},
    section_keyword{"traces", section_kind::other},
};

std::optional<section_kind> section_of(std::string_view word) {
    for (const section_keyword& keyword : section_keywords) {
        if (keyword.word == word) return keyword.kind;
    }
    return std::nullopt;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool is_space(char c) {
    return c == ' ' || c == '\t';
}

// Splits one line into words; the error names what is wrong with it.
std::variant<std::vector<std::string>, std::string> split_words(std::string_view line) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    char quote = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        const auto byte = static_cast<unsigned char>(c);
        if ((byte < 0x20 && c != '\t') || byte == 0x7f) {
            return "control character 0x" + std::string{"0123456789abcdef"[byte >> 4]} +
                   "0123456789abcdef"[byte & 15] + " in the line";
        }
        if (quote == '\'') {
            if (c == '\'') {
                quote = 0;
            } else {
                word += c;
            }
            continue;
        }
        if (c == '\\') {
            if (i + 1 >= line.size()) return std::string("a backslash ends the line");
            const char next = line[++i];
            in_word = true;
            switch (next) {
                case 'r':
                    word += '\r';
                    break;
                case 'n':
                    word += '\n';
                    break;
                case 't':
                    word += '\t';
                    break;
                case 'x': {
                    const int high = i + 1 < line.size() ? hex_digit(line[i + 1]) : -1;
                    const int low = i + 2 < line.size() ? hex_digit(line[i + 2]) : -1;
                    if (high < 0 || low < 0) return std::string("\\x needs two hex digits");
                    word += static_cast<char>(high * 16 + low);
                    i += 2;
                    break;
                }
                default:
                    word += next;
                    break;
            }
            continue;
        }
        if (quote == '"') {
            if (c == '"') {
                quote = 0;
            } else {
                word += c;
            }
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            in_word = true;
        } else if (c == '#') {
            break;
        } else if (is_space(c)) {
            if (in_word) words.push_back(std::move(word));
            word.clear();
            in_word = false;
        } else {
            word += c;
            in_word = true;
        }
    }
    if (quote != 0)
        return std::string("unterminated ") + (quote == '"' ? "double" : "single") + " quote";
    if (in_word) words.push_back(std::move(word));
    return words;
}

}  // namespace

std::string haproxy_directive::text() const {
    std::string joined;
    for (const std::string& word : words) {
        if (!joined.empty()) joined += ' ';
        joined += word;
    }
    return joined;
}

std::variant<haproxy_config, migrate_error> parse_haproxy(std::string_view text) {
    haproxy_config config;
    std::size_t line_number = 0;
    while (!text.empty()) {
        ++line_number;
        const std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        if (line.ends_with('\r')) line.remove_suffix(1);

        auto split = split_words(line);
        if (auto* why = std::get_if<std::string>(&split)) {
            return migrate_error{line_number, "cannot parse: " + *why};
        }
        auto& words = std::get<std::vector<std::string>>(split);
        if (words.empty()) continue;

        if (const auto kind = section_of(words[0])) {
            haproxy_section section;
            section.kind = *kind;
            section.keyword = words[0];
            section.line = line_number;
            const bool is_proxy = *kind == section_kind::listen ||
                                  *kind == section_kind::frontend || *kind == section_kind::backend;
            if (words.size() > 1) section.name = words[1];
            if (is_proxy && section.name.empty()) {
                return migrate_error{line_number, "'" + words[0] + "' needs a name"};
            }
            // HAProxy 1.x's `listen NAME ADDRESS` binds in the section line itself.
            if (is_proxy && words.size() > 2 && *kind != section_kind::backend) {
                haproxy_directive bind{.line = line_number, .words = {"bind"}};
                bind.words.insert(bind.words.end(), words.begin() + 2, words.end());
                section.directives.push_back(std::move(bind));
            }
            config.sections.push_back(std::move(section));
            continue;
        }
        if (config.sections.empty()) {
            return migrate_error{line_number, "'" + words[0] +
                                                  "' comes before any section (global, defaults, "
                                                  "listen, frontend, backend)"};
        }
        config.sections.back().directives.push_back(
            {.line = line_number, .words = std::move(words)});
    }
    return config;
}

}  // namespace pgroute::proxy::migrate
