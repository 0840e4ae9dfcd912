// Metric families as prometheus-cpp MetricFamily values: each family is declared once, as a
// constant holding its name, type, help and label names, and a scrape adds samples to it by label
// values alone, in the declared order, so no sample can carry labels its family does not declare.
#pragma once

#include <prometheus/metric_family.h>
#include <prometheus/metric_type.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <tuple>
#include <vector>

namespace pgroute::proxy {

template <prometheus::MetricType type, std::size_t label_count>
struct family_spec {
    static_assert(type == prometheus::MetricType::Counter ||
                      type == prometheus::MetricType::Gauge ||
                      type == prometheus::MetricType::Histogram,
                  "pgroute's families are counters, gauges and histograms (the aliases below)");

    // consteval, so that a help text that would need escaping fails to compile: the families must
    // stay valid for prometheus-cpp 1.0.1's TextSerializer too, which writes HELP verbatim.
    consteval family_spec(std::string_view family_name, std::string_view family_help,
                          std::array<std::string_view, label_count> label_names = {})
        : name(family_name), help(family_help), labels(label_names) {
        if (help.find_first_of("\\\n") != std::string_view::npos) throw "HELP needs escaping";
    }

    std::string_view name;
    std::string_view help;
    std::array<std::string_view, label_count> labels;
};

template <std::size_t label_count>
using counter_family = family_spec<prometheus::MetricType::Counter, label_count>;
template <std::size_t label_count>
using gauge_family = family_spec<prometheus::MetricType::Gauge, label_count>;
template <std::size_t label_count>
using histogram_family = family_spec<prometheus::MetricType::Histogram, label_count>;

// A histogram as pgroute counts it: one count per bound and a last one for +Inf, not cumulative
// (each observation bumps one bucket on the data path).
struct histogram_counts {
    std::span<const double> bounds;
    std::span<const std::uint64_t> counts;  // bounds.size() + 1
    double sum = 0;
};

// The families of one scrape, in the order they were started.
class metric_families {
  public:
    // Adds samples to one started family. Stays valid while others are started after it, so
    // one pass over the data can fill several families.
    template <prometheus::MetricType type, std::size_t label_count>
    class samples {
      public:
        using label_values = std::array<std::string_view, label_count>;
        static constexpr bool is_histogram = type == prometheus::MetricType::Histogram;

        samples(metric_families& families, std::size_t index,
                const family_spec<type, label_count>& spec)
            : families_(families), index_(index), names_(spec.labels) {}

        // prometheus-cpp holds every value as a double: exact up to 2^53, and Prometheus stores
        // float64 whatever the text says.
        void add(const label_values& values, double value) requires(!is_histogram) {
            auto& metric = families_.add_metric(index_, names_, values);
            if constexpr (type == prometheus::MetricType::Counter) {
                metric.counter.value = value;
            } else {
                metric.gauge.value = value;
            }
        }

        void add(const label_values& values,
                 const histogram_counts& histogram) requires is_histogram {
            set_histogram(families_.add_metric(index_, names_, values), histogram);
        }

      private:
        metric_families& families_;
        std::size_t index_;
        label_values names_;
    };

    template <prometheus::MetricType type, std::size_t label_count>
    [[nodiscard]] samples<type, label_count> start(const family_spec<type, label_count>& spec) {
        start_family(spec.name, spec.help, type);
        return {*this, families_.size() - 1, spec};
    }

    // Several families at once, in the order given (a braced list is evaluated left to right), for
    // a pass over the data that fills them all: `auto [a, b] = out.start_each(family_a, family_b)`.
    template <typename... Specs>
    [[nodiscard]] auto start_each(const Specs&... specs) {
        return std::tuple{start(specs)...};
    }

    [[nodiscard]] std::vector<prometheus::MetricFamily> take() && { return std::move(families_); }

  private:
    void start_family(std::string_view name, std::string_view help, prometheus::MetricType type);
    [[nodiscard]] prometheus::ClientMetric& add_metric(std::size_t family,
                                                       std::span<const std::string_view> names,
                                                       std::span<const std::string_view> values);
    // prometheus-cpp takes cumulative buckets without the +Inf one, which its serializer adds
    // from the sample count.
    static void set_histogram(prometheus::ClientMetric& metric, const histogram_counts& histogram);

    std::vector<prometheus::MetricFamily> families_;
};

}  // namespace pgroute::proxy
