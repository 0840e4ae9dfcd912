// The status page at /, what a person wants at a glance, like HAProxy's stats page: one
// self-contained HTML document that reloads itself; no scripts, no external assets.
#pragma once

#include <string>
#include <string_view>

#include "proxy/admin/html_escape.h"
#include "proxy/admin/snapshot.h"
#include "proxy/admin/status_history.h"
#include "proxy/config/config.h"

namespace pgroute::proxy {

inline constexpr int status_page_refresh_seconds = 2;

// `history` is drawn as charts of the last minutes, up to the snapshot's time.
[[nodiscard]] std::string render_status_page(const admin_snapshot& snapshot, const config& cfg,
                                             const status_history& history);

}  // namespace pgroute::proxy
