// Text made safe for HTML (and SVG, which is XML) element content and attribute values: every
// name and message the admin pages show comes from configuration or from the cluster.
#pragma once

#include <string>
#include <string_view>

namespace pgroute::proxy {

[[nodiscard]] std::string html_escape(std::string_view text);

}  // namespace pgroute::proxy
