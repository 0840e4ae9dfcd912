#include "proxy/admin/svg_chart.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string_view>

#include "proxy/admin/html_escape.h"

namespace pgroute::proxy {

namespace {

using geometry = chart_geometry;

// Distinct from the markers' red, orange and purple, and readable on white.
constexpr std::array<std::string_view, 6> line_colours{"#1565c0", "#2e7d32", "#00838f",
                                                       "#5d4037", "#ad1457", "#827717"};

struct marker_style {
    std::string_view colour;
    std::string_view letter;  // over the marker, explained in the page's legend
};

marker_style style_of(chart_marker_kind kind) {
    switch (kind) {
        case chart_marker_kind::leader_change:
            return {"#b3261e", "L"};
        case chart_marker_kind::cut:
            return {"#e65100", "C"};
        case chart_marker_kind::move:
            return {"#6a1b9a", "M"};
    }
    return {"#000", "?"};
}

std::string printed(const char* format, double value) {
    char text[48];
    std::snprintf(text, sizeof text, format, value);
    return text;
}

// Coordinates with one decimal: finer than a pixel, and short.
std::string coordinate(double value) {
    return printed("%.1f", value);
}

// Three significant digits at most, without an exponent.
std::string compact(double value) {
    if (value >= 1e9) return printed("%.1fG", value / 1e9);
    if (value >= 1e6) return printed("%.1fM", value / 1e6);
    if (value >= 1e4) return printed("%.1fk", value / 1e3);
    if (value >= 100) return printed("%.0f", value);
    return printed("%.3g", value);
}

bool in_span(const chart_frame& frame, std::chrono::system_clock::time_point at) {
    return at >= frame.end - frame.span && at <= frame.end;
}

// The largest value inside the span; none when the chart has nothing to draw.
std::optional<double> largest_value(const chart_frame& frame, std::span<const chart_line> lines) {
    std::optional<double> largest;
    for (const auto& line : lines) {
        for (const auto& point : line.points) {
            if (!point.value || !in_span(frame, point.at)) continue;
            largest = std::max(largest.value_or(*point.value), *point.value);
        }
    }
    return largest;
}

std::string text_at(double x, double y, std::string_view anchor, std::string_view text,
                    std::string_view extra = {}) {
    std::string svg = "<text x=\"" + coordinate(x) + "\" y=\"" + coordinate(y) +
                      "\" text-anchor=\"" + std::string(anchor) + "\"";
    if (!extra.empty()) svg += " " + std::string(extra);
    return svg + ">" + html_escape(text) + "</text>";
}

// No xmlns: an <svg> inside HTML is in the SVG namespace without one, and the page names no URL
// it does not link to.
std::string opening(const chart_frame& frame) {
    std::string svg = "<svg id=\"" + html_escape(frame.id) + "\" class=\"chart\" width=\"" +
                      coordinate(geometry::width) + "\" height=\"" + coordinate(geometry::height) +
                      "\" viewBox=\"0 0 " + coordinate(geometry::width) + " " +
                      coordinate(geometry::height) + "\" role=\"img\" aria-label=\"" +
                      html_escape(frame.title) +
                      "\" font-family=\"system-ui,sans-serif\" font-size=\"11\">";
    svg += text_at(8, 16, "start", frame.title, "font-size=\"13\" font-weight=\"600\"");
    svg += "<rect class=\"plot\" x=\"" + coordinate(geometry::left) + "\" y=\"" +
           coordinate(geometry::top) + "\" width=\"" +
           coordinate(geometry::right - geometry::left) + "\" height=\"" +
           coordinate(geometry::bottom - geometry::top) + "\" fill=\"#fff\" stroke=\"#bbb\"/>";
    return svg;
}

std::string axes(const chart_frame& frame, double max) {
    std::string svg = text_at(geometry::left - 4, geometry::top + 4, "end",
                              format_chart_value(max, frame.unit), "class=\"max\"");
    svg += text_at(geometry::left - 4, geometry::bottom, "end", "0");
    const double below = geometry::bottom + 14;
    const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(frame.span).count();
    svg += text_at(geometry::left, below, "start", "-" + std::to_string(minutes) + " min");
    svg += text_at(geometry::right, below, "end", "now");
    return svg;
}

// One polyline per run of points without a gap; a lone point is a dot, which a polyline of one
// point would not draw.
std::string line_svg(const chart_frame& frame, const chart_line& line, std::string_view colour,
                     double max) {
    std::string svg;
    std::vector<std::string> run;
    const auto flush = [&] {
        if (run.size() == 1) {
            const auto comma = run[0].find(',');
            svg += "<circle cx=\"" + run[0].substr(0, comma) + "\" cy=\"" +
                   run[0].substr(comma + 1) + "\" r=\"2\" fill=\"" + std::string(colour) + "\"/>";
        } else if (run.size() > 1) {
            svg += "<polyline fill=\"none\" stroke=\"" + std::string(colour) +
                   "\" stroke-width=\"1.5\" points=\"";
            for (std::size_t i = 0; i < run.size(); ++i)
                svg += (i ? " " : "") + run[i];
            svg += "\"/>";
        }
        run.clear();
    };
    for (const auto& point : line.points) {
        if (!in_span(frame, point.at)) continue;
        if (!point.value) {
            flush();
            continue;
        }
        run.push_back(coordinate(chart_x(frame, point.at)) + "," +
                      coordinate(chart_y(*point.value, max)));
    }
    flush();
    return "<g class=\"line\" data-name=\"" + html_escape(line.name) + "\">" + svg + "</g>";
}

std::string marker_svg(const chart_frame& frame, const chart_marker& marker) {
    const auto style = style_of(marker.kind);
    const double at = chart_x(frame, marker.at);
    const auto x = coordinate(at);
    return "<g class=\"marker\"><title>" + html_escape(marker.text) + "</title><line x1=\"" + x +
           "\" y1=\"" + coordinate(geometry::top) + "\" x2=\"" + x + "\" y2=\"" +
           coordinate(geometry::bottom) + "\" stroke=\"" + std::string(style.colour) +
           "\" stroke-dasharray=\"3 2\"/>" +
           text_at(at, geometry::top - 2, "middle", style.letter,
                   "fill=\"" + std::string(style.colour) + "\" font-weight=\"600\"") +
           "</g>";
}

// The series' names in their colours under the time axis: two rows, and a name that fits in
// neither is left out rather than drawn over the edge (the tables above name every node).
std::string legend_svg(std::span<const chart_line> lines) {
    std::string svg;
    double x = geometry::left;
    double y = geometry::bottom + 30;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        // System fonts at 11px average well under 7px a character.
        const double width = 14 + 7.0 * static_cast<double>(lines[i].name.size());
        if (x + width > geometry::width && x > geometry::left) {
            if (y > geometry::bottom + 30) break;
            x = geometry::left;
            y += 14;
        }
        const auto colour = std::string(line_colours[i % line_colours.size()]);
        svg += "<rect x=\"" + coordinate(x) + "\" y=\"" + coordinate(y - 8) +
               "\" width=\"10\" height=\"3\" fill=\"" + colour + "\"/>";
        svg += text_at(x + 14, y, "start", lines[i].name);
        x += width + 14;
    }
    return svg;
}

}  // namespace

double chart_x(const chart_frame& frame, std::chrono::system_clock::time_point at) {
    const auto span = std::chrono::duration<double>(frame.span).count();
    const auto before_end = std::chrono::duration<double>(frame.end - at).count();
    const double fraction = span > 0 ? std::clamp(1.0 - before_end / span, 0.0, 1.0) : 1.0;
    return geometry::left + fraction * (geometry::right - geometry::left);
}

double chart_y(double value, double max) {
    const double fraction = max > 0 ? std::clamp(value / max, 0.0, 1.0) : 0.0;
    return geometry::bottom - fraction * (geometry::bottom - geometry::top);
}

std::string format_chart_value(double value, chart_unit unit) {
    switch (unit) {
        case chart_unit::count:
            return compact(value);
        case chart_unit::per_second:
            return compact(value) + "/s";
        case chart_unit::seconds:
            if (value == 0) return "0 s";
            if (value < 1e-3) return compact(value * 1e6) + " \u00b5s";
            if (value < 1) return compact(value * 1e3) + " ms";
            return compact(value) + " s";
        case chart_unit::bytes:
            if (value < 1024) return compact(value) + " B";
            if (value < 1024.0 * 1024) return compact(value / 1024) + " kB";
            if (value < 1024.0 * 1024 * 1024) return compact(value / (1024.0 * 1024)) + " MB";
            return compact(value / (1024.0 * 1024 * 1024)) + " GB";
    }
    return compact(value);
}

std::string render_svg_chart(const chart_frame& frame, std::span<const chart_line> lines,
                             std::span<const chart_marker> markers) {
    std::string svg = opening(frame);
    // Events still show on a chart with nothing to draw: no queries while there was no leader
    // is when a leader change matters most.
    for (const auto& marker : markers) {
        if (in_span(frame, marker.at)) svg += marker_svg(frame, marker);
    }
    const auto largest = largest_value(frame, lines);
    if (!largest) {
        return svg +
               text_at((geometry::left + geometry::right) / 2,
                       (geometry::top + geometry::bottom) / 2 + 4, "middle", frame.empty_text,
                       "class=\"empty\" fill=\"#777\"") +
               "</svg>";
    }
    // All zeros: a flat line on the axis under a top of 1, rather than a division by zero.
    const double max = *largest > 0 ? *largest : 1;
    svg += axes(frame, max);
    for (std::size_t i = 0; i < lines.size(); ++i)
        svg += line_svg(frame, lines[i], line_colours[i % line_colours.size()], max);
    return svg + legend_svg(lines) + "</svg>";
}

}  // namespace pgroute::proxy
