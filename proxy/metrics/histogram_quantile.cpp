#include "proxy/metrics/histogram_quantile.h"

#include <numeric>

namespace pgroute::proxy {

std::optional<double> histogram_quantile(double quantile, std::span<const std::uint64_t> counts,
                                         std::span<const double> bounds) {
    const auto total = std::accumulate(counts.begin(), counts.end(), std::uint64_t{0});
    if (total == 0 || counts.size() != bounds.size() + 1) return std::nullopt;
    const double rank = quantile * static_cast<double>(total);
    std::uint64_t below = 0;  // observations in the buckets before the current one
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        if (counts[i] > 0 && static_cast<double>(below + counts[i]) >= rank) {
            const double lower = i == 0 ? 0.0 : bounds[i - 1];
            const double inside =
                (rank - static_cast<double>(below)) / static_cast<double>(counts[i]);
            return lower + (bounds[i] - lower) * inside;
        }
        below += counts[i];
    }
    return bounds.empty() ? std::nullopt : std::optional<double>(bounds.back());
}

}  // namespace pgroute::proxy
