// haproxy.cfg as HAProxy reads it: sections of directives, each directive split into words with
// HAProxy's quoting and escapes undone, and the line it came from kept for every message.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace pgroute::proxy::migrate {

struct haproxy_directive {
    std::size_t line = 0;
    std::vector<std::string> words;  // words[0] is the keyword; never empty

    // The words joined by single spaces, for the comments that quote a directive.
    [[nodiscard]] std::string text() const;
};

enum class section_kind { global, defaults, listen, frontend, backend, other };

struct haproxy_section {
    section_kind kind = section_kind::other;
    std::string keyword;  // as written: "listen", "peers", ...
    std::string name;     // empty for global and an unnamed defaults
    std::size_t line = 0;
    std::vector<haproxy_directive> directives;
};

struct haproxy_config {
    std::vector<haproxy_section> sections;
};

}  // namespace pgroute::proxy::migrate
