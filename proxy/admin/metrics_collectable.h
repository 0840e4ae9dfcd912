// The prometheus-cpp Collectable behind /metrics: at scrape time it sums the workers' counters and
// turns them, the health side's last report and the process's own figures into every family
// README's Metrics section lists (names as Prometheus' conventions ask: base units, _total on
// counters). The families are declared once, in its source.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <vector>

#include "proxy/admin/snapshot.h"

namespace pgroute::proxy {

class metrics_collectable final : public prometheus::Collectable {
  public:
    // `sources` must outlive this object.
    explicit metrics_collectable(const admin_sources& sources) : sources_(sources) {}

    // prometheus-cpp's name for it; one call is one scrape.
    [[nodiscard]] std::vector<prometheus::MetricFamily> Collect() const override;

  private:
    const admin_sources& sources_;
};

}  // namespace pgroute::proxy
