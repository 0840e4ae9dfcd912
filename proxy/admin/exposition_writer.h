// Writes the Prometheus text exposition format, version 0.0.4: one family at a time, HELP and
// TYPE first, then its samples, with label values and help text escaped as the format requires.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace pgroute::proxy {

inline constexpr std::string_view exposition_content_type =
    "text/plain; version=0.0.4; charset=utf-8";

enum class metric_type { counter, gauge, histogram };

struct metric_label {
    std::string_view name;
    std::string_view value;
};

using metric_labels = std::initializer_list<metric_label>;

class metrics_writer {
  public:
    // Starts a family; every sample until the next family() belongs to it. Call once per name.
    void family(std::string_view name, metric_type type, std::string_view help);

    void sample(metric_labels labels, std::uint64_t value);
    void sample(metric_labels labels, double value);

    // A histogram sample set: `counts` per bucket, not cumulative, one more than `bounds` (the
    // last is +Inf); writes the cumulative _bucket lines, _sum and _count.
    void histogram(metric_labels labels, std::span<const double> bounds,
                   std::span<const std::uint64_t> counts, double sum);

    [[nodiscard]] const std::string& text() const { return out_; }

  private:
    void sample_line(std::string_view suffix, metric_labels labels, const metric_label* extra,
                     std::string_view value);

    std::string out_;
    std::string family_;
};

// A number as the format spells it: "+Inf", "-Inf", "NaN", or the shortest decimal that reads
// back as the same double.
[[nodiscard]] std::string format_metric_value(double value);

}  // namespace pgroute::proxy
