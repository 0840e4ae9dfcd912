// Reading the status page's charts in a test: one chart's <svg> out of the page (or out of the
// DOM Chromium dumped), and whether it drew a line.
#pragma once

#include <string>
#include <string_view>

namespace pgroute::test_support {

// The <svg id="ID">...</svg> in `html`, or "" when the page has none.
inline std::string chart_svg(const std::string& html, std::string_view id) {
    const auto start = html.find("<svg id=\"" + std::string(id) + "\"");
    if (start == std::string::npos) return "";
    const auto end = html.find("</svg>", start);
    return end == std::string::npos ? "" : html.substr(start, end + 6 - start);
}

inline bool has_line(const std::string& svg) {
    return svg.find("<polyline") != std::string::npos;
}

}  // namespace pgroute::test_support
