// Writes prometheus-cpp MetricFamily values in the Prometheus text format, version 0.0.4: HELP
// and TYPE first, then the family's samples, help text and label values escaped as the format
// requires, and every value the shortest decimal that reads back as the same double.
#pragma once

#include <prometheus/metric_family.h>
#include <prometheus/serializer.h>

#include <iosfwd>
#include <string>
#include <vector>

namespace pgroute::proxy {

// In place of prometheus-cpp 1.0.1's TextSerializer, which writes the same series but makes a
// 2,000-series scrape take 3.2x as long (bench/micro/metrics_bench.cpp, README's Metrics), writes
// HELP unescaped and rounds values to 16 digits.
class exposition_writer final : public prometheus::Serializer {
  public:
    [[nodiscard]] std::string Serialize(
        const std::vector<prometheus::MetricFamily>& families) const override;
    void Serialize(std::ostream& out,
                   const std::vector<prometheus::MetricFamily>& families) const override;
};

}  // namespace pgroute::proxy
