#include "proxy/admin/exposition_writer.h"

#include <charconv>
#include <cmath>

namespace pgroute::proxy {

namespace {

std::string_view type_name(metric_type type) {
    switch (type) {
        case metric_type::counter:
            return "counter";
        case metric_type::gauge:
            return "gauge";
        case metric_type::histogram:
            return "histogram";
    }
    return "untyped";
}

// HELP text escapes backslash and newline; label values also escape the double quote.
void append_escaped(std::string& out, std::string_view text, bool escape_quote) {
    for (const char c : text) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '"' && escape_quote) {
            out += "\\\"";
        } else {
            out += c;
        }
    }
}

}  // namespace

std::string format_metric_value(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    char text[64];
    const double magnitude = std::fabs(value);
    // Plain decimals where they stay short (durations, timestamps); exponents beyond.
    const auto format = magnitude == 0 || (magnitude >= 1e-4 && magnitude < 1e15)
                            ? std::chars_format::fixed
                            : std::chars_format::scientific;
    const auto end = std::to_chars(text, text + sizeof text, value, format).ptr;
    return std::string(text, end);
}

void metrics_writer::family(std::string_view name, metric_type type, std::string_view help) {
    family_ = name;
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    append_escaped(out_, help, false);
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type_name(type);
    out_ += '\n';
}

void metrics_writer::sample(metric_labels labels, std::uint64_t value) {
    sample_line({}, labels, nullptr, std::to_string(value));
}

void metrics_writer::sample(metric_labels labels, double value) {
    sample_line({}, labels, nullptr, format_metric_value(value));
}

void metrics_writer::histogram(metric_labels labels, std::span<const double> bounds,
                               std::span<const std::uint64_t> counts, double sum) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        cumulative += counts[i];
        const std::string le = i < bounds.size() ? format_metric_value(bounds[i]) : "+Inf";
        const metric_label bound{"le", le};
        sample_line("_bucket", labels, &bound, std::to_string(cumulative));
    }
    sample_line("_sum", labels, nullptr, format_metric_value(sum));
    sample_line("_count", labels, nullptr, std::to_string(cumulative));
}

void metrics_writer::sample_line(std::string_view suffix, metric_labels labels,
                                 const metric_label* extra, std::string_view value) {
    out_ += family_;
    out_ += suffix;
    if (labels.size() > 0 || extra != nullptr) {
        out_ += '{';
        bool first = true;
        const auto append_label = [&](const metric_label& label) {
            if (!first) out_ += ',';
            first = false;
            out_ += label.name;
            out_ += "=\"";
            append_escaped(out_, label.value, true);
            out_ += '"';
        };
        for (const auto& label : labels)
            append_label(label);
        if (extra != nullptr) append_label(*extra);
        out_ += '}';
    }
    out_ += ' ';
    out_ += value;
    out_ += '\n';
}

}  // namespace pgroute::proxy
