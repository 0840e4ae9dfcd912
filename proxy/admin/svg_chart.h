// One small line chart as inline SVG for the status page: fixed size, a polyline per series, a
// vertical marker per event, the largest value and the time span as axis labels. Pure: the
// same lines in give the same text out, which is what the unit tests read.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace pgroute::proxy {

// How a value is printed on the axis.
enum class chart_unit { count, per_second, seconds, bytes };

enum class chart_marker_kind { leader_change, cut, move };

struct chart_point {
    std::chrono::system_clock::time_point at;
    std::optional<double> value;  // none: a gap in the line (no queries to time, lag unknown)
};

struct chart_line {
    std::string name;                 // the legend's text
    std::vector<chart_point> points;  // oldest first
};

struct chart_marker {
    std::chrono::system_clock::time_point at;
    chart_marker_kind kind;
    std::string text;  // its tooltip
};

struct chart_frame {
    std::string id;  // the svg element's id
    std::string title;
    chart_unit unit = chart_unit::count;
    std::chrono::system_clock::time_point end;  // the right edge: now
    std::chrono::seconds span{900};             // the left edge is end - span
    std::string empty_text = "no data yet";     // shown when no line has a value in the span
};

// The drawing's size and the plot area inside it, in SVG user units (CSS pixels).
struct chart_geometry {
    static constexpr double width = 400;
    static constexpr double height = 180;
    static constexpr double left = 52;
    static constexpr double right = 392;
    static constexpr double top = 26;
    static constexpr double bottom = 126;
};

// Where a time falls on the x axis, and a value on the y axis of a plot whose top is `max`.
[[nodiscard]] double chart_x(const chart_frame& frame, std::chrono::system_clock::time_point at);
[[nodiscard]] double chart_y(double value, double max);

// "12.5k/s", "3.2 ms", "1.5 MB": a value as the axis labels print it.
[[nodiscard]] std::string format_chart_value(double value, chart_unit unit);

[[nodiscard]] std::string render_svg_chart(const chart_frame& frame,
                                           std::span<const chart_line> lines,
                                           std::span<const chart_marker> markers);

}  // namespace pgroute::proxy
