// A strict little XML well-formedness check for the SVG the status page inlines: every element
// closed in order, attributes quoted, no stray '<' or '&'. Enough for what pgroute writes (no
// comments, CDATA, processing instructions or DOCTYPE); returns what is wrong, or "".
#pragma once

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace pgroute::proxy::testing {

// `&name;` or `&#digits;` at `at`; how long it is, or 0.
inline std::size_t entity_length(std::string_view text, std::size_t at) {
    const auto end = text.find(';', at);
    if (end == std::string_view::npos || end == at + 1) return 0;
    const auto body = text.substr(at + 1, end - at - 1);
    const bool numeric = body[0] == '#';
    for (std::size_t i = numeric ? 1 : 0; i < body.size(); ++i) {
        const auto c = static_cast<unsigned char>(body[i]);
        if (numeric ? !std::isdigit(c) : !std::isalpha(c)) return 0;
    }
    return end - at + 1;
}

inline std::string character_data_error(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '<' || text[i] == '>') return "stray '" + std::string(1, text[i]) + "'";
        if (text[i] == '&') {
            const auto n = entity_length(text, i);
            if (n == 0) return "bare '&' in \"" + std::string(text) + "\"";
            i += n - 1;
        }
    }
    return "";
}

inline std::string xml_error(std::string_view xml) {
    std::vector<std::string> open;
    std::size_t at = 0;
    while (at < xml.size()) {
        const auto tag = xml.find('<', at);
        const auto text =
            xml.substr(at, tag == std::string_view::npos ? xml.size() - at : tag - at);
        if (auto error = character_data_error(text); !error.empty()) return error;
        if (tag == std::string_view::npos) break;
        const auto end = xml.find('>', tag);
        if (end == std::string_view::npos) return "unterminated tag";
        std::string_view inside = xml.substr(tag + 1, end - tag - 1);
        at = end + 1;
        if (!inside.empty() && inside[0] == '/') {
            if (open.empty() || open.back() != inside.substr(1)) {
                return "</" + std::string(inside.substr(1)) + "> closes " +
                       (open.empty() ? std::string("nothing") : "<" + open.back() + ">");
            }
            open.pop_back();
            continue;
        }
        const bool empty_element = !inside.empty() && inside.back() == '/';
        if (empty_element) inside.remove_suffix(1);
        const auto name_end = inside.find_first_of(" \t\n");
        const std::string name(inside.substr(0, name_end));
        if (name.empty()) return "element without a name";
        // Attributes: name="value", separated by spaces.
        auto rest =
            name_end == std::string_view::npos ? std::string_view{} : inside.substr(name_end);
        std::vector<std::string> seen;
        while (!rest.empty()) {
            const auto start = rest.find_first_not_of(" \t\n");
            if (start == std::string_view::npos) break;
            rest.remove_prefix(start);
            const auto equals = rest.find('=');
            if (equals == std::string_view::npos || equals + 1 >= rest.size() ||
                rest[equals + 1] != '"') {
                return "unquoted attribute in <" + name + ">";
            }
            const std::string attribute(rest.substr(0, equals));
            for (const auto& other : seen) {
                if (other == attribute)
                    return "attribute " + attribute + " twice in <" + name + ">";
            }
            seen.push_back(attribute);
            const auto close = rest.find('"', equals + 2);
            if (close == std::string_view::npos) return "unterminated attribute in <" + name + ">";
            const auto value = rest.substr(equals + 2, close - equals - 2);
            if (value.find('<') != std::string_view::npos) return "'<' in an attribute";
            if (auto error = character_data_error(value); !error.empty()) return error;
            rest.remove_prefix(close + 1);
            if (!rest.empty() && rest[0] != ' ')
                return "no space between attributes in <" + name + ">";
        }
        if (!empty_element) open.push_back(name);
    }
    if (!open.empty()) return "<" + open.back() + "> never closed";
    return "";
}

}  // namespace pgroute::proxy::testing
