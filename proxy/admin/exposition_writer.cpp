#include "proxy/admin/exposition_writer.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string_view>

namespace pgroute::proxy {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

std::string_view type_name(MetricType type) {
    switch (type) {
        case MetricType::Counter:
            return "counter";
        case MetricType::Gauge:
            return "gauge";
        case MetricType::Summary:
            return "summary";
        case MetricType::Untyped:
            return "untyped";
        case MetricType::Histogram:
            return "histogram";
    }
    return "untyped";
}

// HELP text escapes backslash and newline; label values also escape the double quote. Runs
// without any are appended whole.
constexpr std::string_view help_escapes = "\\\n";
constexpr std::string_view label_value_escapes = "\\\n\"";

void append_escaped(std::string& out, std::string_view text, std::string_view escapes) {
    for (std::size_t start = 0;;) {
        const auto special = text.find_first_of(escapes, start);
        out.append(text.substr(start, special - start));
        if (special == std::string_view::npos) return;
        out += '\\';
        out += text[special] == '\n' ? 'n' : text[special];
        start = special + 1;
    }
}

// "+Inf", "-Inf", "NaN", or the shortest decimal that reads back as the same double: plain where
// it stays short (counts, durations, timestamps), with an exponent beyond.
void append_value(std::string& out, double value) {
    if (std::isnan(value)) {
        out += "NaN";
    } else if (std::isinf(value)) {
        out += value > 0 ? "+Inf" : "-Inf";
    } else {
        char text[64];
        const double magnitude = std::fabs(value);
        const auto format = magnitude == 0 || (magnitude >= 1e-4 && magnitude < 1e15)
                                ? std::chars_format::fixed
                                : std::chars_format::scientific;
        out.append(text, std::to_chars(text, text + sizeof text, value, format).ptr);
    }
}

template <typename Integer>
void append_integer(std::string& out, Integer value) {
    char text[24];
    out.append(text, std::to_chars(text, text + sizeof text, value).ptr);
}

// A sample line up to its value: the family's name and `suffix`, then the metric's labels and,
// for a bucket or a quantile, the one label (`le`, `quantile`) the format adds.
void append_head(std::string& out, const MetricFamily& family, std::string_view suffix,
                 const ClientMetric& metric, std::string_view extra_name = {},
                 double extra_value = 0) {
    out += family.name;
    out += suffix;
    if (!metric.label.empty() || !extra_name.empty()) {
        char separator = '{';
        for (const auto& label : metric.label) {
            out += separator;
            separator = ',';
            out += label.name;
            out += "=\"";
            append_escaped(out, label.value, label_value_escapes);
            out += '"';
        }
        if (!extra_name.empty()) {
            out += separator;
            out += extra_name;
            out += "=\"";
            append_value(out, extra_value);
            out += '"';
        }
        out += '}';
    }
    out += ' ';
}

void append_tail(std::string& out, const ClientMetric& metric) {
    if (metric.timestamp_ms != 0) {
        out += ' ';
        append_integer(out, metric.timestamp_ms);
    }
    out += '\n';
}

void append_value_line(std::string& out, const MetricFamily& family, const ClientMetric& metric,
                       double value) {
    append_head(out, family, "", metric);
    append_value(out, value);
    append_tail(out, metric);
}

void append_count_lines(std::string& out, const MetricFamily& family, const ClientMetric& metric,
                        std::uint64_t count, double sum) {
    append_head(out, family, "_sum", metric);
    append_value(out, sum);
    append_tail(out, metric);
    append_head(out, family, "_count", metric);
    append_integer(out, count);
    append_tail(out, metric);
}

// Buckets are cumulative already; a last +Inf bucket is added when absent, as the format needs.
void append_histogram(std::string& out, const MetricFamily& family, const ClientMetric& metric) {
    const auto& histogram = metric.histogram;
    constexpr double infinity = std::numeric_limits<double>::infinity();
    for (const auto& bucket : histogram.bucket) {
        append_head(out, family, "_bucket", metric, "le", bucket.upper_bound);
        append_integer(out, bucket.cumulative_count);
        append_tail(out, metric);
    }
    if (histogram.bucket.empty() || histogram.bucket.back().upper_bound != infinity) {
        append_head(out, family, "_bucket", metric, "le", infinity);
        append_integer(out, histogram.sample_count);
        append_tail(out, metric);
    }
    append_count_lines(out, family, metric, histogram.sample_count, histogram.sample_sum);
}

void append_summary(std::string& out, const MetricFamily& family, const ClientMetric& metric) {
    for (const auto& quantile : metric.summary.quantile) {
        append_head(out, family, "", metric, "quantile", quantile.quantile);
        append_value(out, quantile.value);
        append_tail(out, metric);
    }
    append_count_lines(out, family, metric, metric.summary.sample_count, metric.summary.sample_sum);
}

void append_family(std::string& out, const MetricFamily& family) {
    out += "# HELP ";
    out += family.name;
    out += ' ';
    append_escaped(out, family.help, help_escapes);
    out += "\n# TYPE ";
    out += family.name;
    out += ' ';
    out += type_name(family.type);
    out += '\n';
    for (const auto& metric : family.metric) {
        switch (family.type) {
            case MetricType::Counter:
                append_value_line(out, family, metric, metric.counter.value);
                break;
            case MetricType::Gauge:
                append_value_line(out, family, metric, metric.gauge.value);
                break;
            case MetricType::Untyped:
                append_value_line(out, family, metric, metric.untyped.value);
                break;
            case MetricType::Histogram:
                append_histogram(out, family, metric);
                break;
            case MetricType::Summary:
                append_summary(out, family, metric);
                break;
        }
    }
}

}  // namespace

std::string exposition_writer::Serialize(
    const std::vector<prometheus::MetricFamily>& families) const {
    std::string out;
    for (const auto& family : families)
        append_family(out, family);
    return out;
}

void exposition_writer::Serialize(std::ostream& out,
                                  const std::vector<prometheus::MetricFamily>& families) const {
    out << Serialize(families);
}

}  // namespace pgroute::proxy
