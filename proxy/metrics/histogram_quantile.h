// A quantile estimated from bucket counts, as Prometheus's histogram_quantile() estimates it, so
// the status page's p99 and a PromQL query over pgroute_query_duration_seconds agree.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace pgroute::proxy {

// `counts` holds one count per bucket (not cumulative): one per upper bound in `bounds`, then
// the +Inf bucket. The value is interpolated linearly inside the bucket the rank falls in, the
// first bucket starting at 0; a rank in +Inf gives the highest finite bound (nothing better is
// known). Nothing when there are no observations.
[[nodiscard]] std::optional<double> histogram_quantile(double quantile,
                                                       std::span<const std::uint64_t> counts,
                                                       std::span<const double> bounds);

}  // namespace pgroute::proxy
