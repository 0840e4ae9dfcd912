// The status page at /, what a person wants at a glance, like HAProxy's stats page: one
// self-contained HTML document that reloads itself; no scripts, no external assets.
#pragma once

#include <string>
#include <string_view>

#include "proxy/admin/snapshot.h"
#include "proxy/config/config.h"

namespace pgroute::proxy {

inline constexpr int status_page_refresh_seconds = 2;

[[nodiscard]] std::string render_status_page(const admin_snapshot& snapshot, const config& cfg);

// Text made safe for HTML element content and attribute values.
[[nodiscard]] std::string html_escape(std::string_view text);

}  // namespace pgroute::proxy
