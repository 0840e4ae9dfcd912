#include <gtest/gtest.h>

#include <array>

#include "proxy/metrics/histogram_quantile.h"

namespace pgroute::proxy {
namespace {

constexpr std::array<double, 3> bounds{0.001, 0.01, 0.1};

TEST(histogram_quantile, NothingWithoutObservations) {
    const std::array<std::uint64_t, 4> counts{};
    EXPECT_FALSE(histogram_quantile(0.99, counts, bounds));
}

TEST(histogram_quantile, InterpolatesInsideTheBucketTheRankFallsIn) {
    // 100 observations: 50 under 1 ms, 50 between 1 and 10 ms. Rank 99 is the 49th of the
    // second bucket's 50: 1 ms + 9 ms * 49/50.
    const std::array<std::uint64_t, 4> counts{50, 50, 0, 0};
    EXPECT_NEAR(*histogram_quantile(0.99, counts, bounds), 0.001 + 0.009 * 49.0 / 50.0, 1e-12);
    EXPECT_NEAR(*histogram_quantile(0.5, counts, bounds), 0.001, 1e-12);
}

TEST(histogram_quantile, TheFirstBucketStartsAtZero) {
    const std::array<std::uint64_t, 4> counts{10, 0, 0, 0};
    EXPECT_NEAR(*histogram_quantile(0.5, counts, bounds), 0.0005, 1e-12);
}

TEST(histogram_quantile, ARankInTheInfiniteBucketGivesTheHighestBound) {
    const std::array<std::uint64_t, 4> counts{1, 0, 0, 99};
    EXPECT_DOUBLE_EQ(*histogram_quantile(0.99, counts, bounds), 0.1);
}

TEST(histogram_quantile, RefusesCountsThatDoNotMatchTheBounds) {
    const std::array<std::uint64_t, 3> counts{1, 1, 1};
    EXPECT_FALSE(histogram_quantile(0.5, counts, bounds));
}

}  // namespace
}  // namespace pgroute::proxy
