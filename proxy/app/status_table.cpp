#include "proxy/app/status_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <vector>

namespace pgroute::proxy {

namespace {

using nlohmann::json;
using row = std::vector<std::string>;

const std::vector<std::string> headings{"Member",    "Host",    "Role",  "State",   "TL",
                                        "Lag in MB", "Lag (s)", "Reads", "Sessions"};
// Numbers line up on the right, as patronictl prints them.
const std::vector<bool> right_aligned{false, false, false, false, true, true, true, false, true};

std::string optional_number(const json& value, const char* format, double scale = 1) {
    if (!value.is_number()) return "";
    char text[32];
    std::snprintf(text, sizeof text, format, value.get<double>() / scale);
    return text;
}

std::string reads(const json& node) {
    if (node.at("readable").get<bool>()) return "yes";
    if (node.at("write_target").get<bool>()) return "-";
    const auto reason = node.at("not_readable_reason").get<std::string>();
    return reason.empty() ? "no" : "no: " + reason;
}

row node_row(const json& node) {
    auto role = node.at("role").get<std::string>();
    if (node.at("write_target").get<bool>()) role += " *";
    return {
        node.at("name").get<std::string>(),
        node.at("host").get<std::string>() + ":" + std::to_string(node.at("port").get<unsigned>()),
        role,
        node.at("state").get<std::string>(),
        optional_number(node.at("timeline"), "%.0f"),
        optional_number(node.at("lag_bytes"), "%.0f", 1024.0 * 1024.0),
        optional_number(node.at("lag_seconds"), "%.1f"),
        reads(node),
        std::to_string(node.at("sessions").get<std::uint64_t>())};
}

std::string rule(const std::vector<std::size_t>& widths, std::string_view title = {}) {
    std::string line = "+";
    for (const auto width : widths) {
        line.append(width + 2, '-');
        line.push_back('+');
    }
    if (title.empty()) return line + "\n";
    // A title too wide for the table goes on a line of its own above it.
    if (title.size() + 4 > line.size()) return std::string(title) + "\n" + line + "\n";
    // Built by appending: GCC 12 at -O3 misreads replace() with a temporary as overlapping.
    std::string titled = "+ ";
    titled.append(title).append(" ").append(line, title.size() + 3).append("\n");
    return titled;
}

std::string cells(const row& values, const std::vector<std::size_t>& widths) {
    std::string line = "|";
    for (std::size_t i = 0; i < values.size(); ++i) {
        const std::size_t pad = widths[i] - values[i].size();
        line.push_back(' ');
        if (right_aligned[i]) line.append(pad, ' ');
        line.append(values[i]);
        if (!right_aligned[i]) line.append(pad, ' ');
        line.append(" |");
    }
    return line + "\n";
}

}  // namespace

std::variant<std::string, status_table_error> format_status_table(std::string_view topology_json) {
    try {
        const auto document = json::parse(topology_json);
        std::vector<row> rows;
        for (const auto& node : document.at("nodes"))
            rows.push_back(node_row(node));
        std::vector<std::size_t> widths;
        widths.reserve(headings.size());
        for (const auto& heading : headings)
            widths.push_back(heading.size());
        for (const auto& r : rows) {
            for (std::size_t i = 0; i < r.size(); ++i)
                widths[i] = std::max(widths[i], r[i].size());
        }
        const auto& target = document.at("write_target");
        std::string title = "pgroute (" + document.at("mode").get<std::string>() + "): ";
        title += target.is_string()
                     ? "write target " + target.get<std::string>()
                     : "no write target (" +
                           document.at("no_write_target_reason").get<std::string>() + ")";
        std::string out = rule(widths, title) + cells(headings, widths) + rule(widths);
        for (const auto& r : rows)
            out += cells(r, widths);
        out += rule(widths);
        out += "* write target; leader changes seen: " +
               std::to_string(document.at("leader_changes").get<std::uint64_t>()) + "\n";
        return out;
    } catch (const json::exception& e) {
        return status_table_error{std::string("unexpected /topology document: ") + e.what()};
    }
}

}  // namespace pgroute::proxy
