// Reads haproxy.cfg text into sections and words, as HAProxy's own line parser splits them
// (quotes, backslash escapes, comments). It knows no directive: what they mean is translate's.
#pragma once

#include <string_view>
#include <variant>

#include "proxy/migrate/haproxy_config.h"
#include "proxy/migrate/migrate_error.h"

namespace pgroute::proxy::migrate {

// A line that cannot be split (an open quote, a bad escape, a control character), a directive
// before the first section or a proxy section without a name is an error naming its line.
[[nodiscard]] std::variant<haproxy_config, migrate_error> parse_haproxy(std::string_view text);

}  // namespace pgroute::proxy::migrate
