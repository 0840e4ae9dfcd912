#include "proxy/admin/metric_families.h"

#include <numeric>
#include <string>

namespace pgroute::proxy {

void metric_families::start_family(std::string_view name, std::string_view help,
                                   prometheus::MetricType type) {
    auto& family = families_.emplace_back();
    family.name = name;
    family.help = help;
    family.type = type;
}

prometheus::ClientMetric& metric_families::add_metric(std::size_t family,
                                                      std::span<const std::string_view> names,
                                                      std::span<const std::string_view> values) {
    auto& metric = families_[family].metric.emplace_back();
    metric.label.reserve(names.size());
    for (std::size_t i = 0; i < names.size(); ++i)
        metric.label.push_back({std::string(names[i]), std::string(values[i])});
    return metric;
}

void metric_families::set_histogram(prometheus::ClientMetric& metric,
                                    const histogram_counts& histogram) {
    auto& out = metric.histogram;
    out.bucket.reserve(histogram.bounds.size());
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < histogram.bounds.size(); ++i) {
        cumulative += histogram.counts[i];
        out.bucket.push_back({cumulative, histogram.bounds[i]});
    }
    out.sample_count =
        std::accumulate(histogram.counts.begin(), histogram.counts.end(), std::uint64_t{0});
    out.sample_sum = histogram.sum;
}

}  // namespace pgroute::proxy
