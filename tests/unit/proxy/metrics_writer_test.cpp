#include <gtest/gtest.h>

#include <array>
#include <limits>

#include "proxy/admin/exposition_writer.h"

namespace pgroute::proxy {
namespace {

TEST(MetricsWriter, FamilyStartsWithHelpAndTypeThenItsSamples) {
    metrics_writer out;
    out.family("pgroute_queries_total", metric_type::counter, "Queries.");
    out.sample({{"endpoint", "write"}, {"node", "pg1"}}, std::uint64_t{42});
    out.sample({}, std::uint64_t{7});
    EXPECT_EQ(out.text(),
              "# HELP pgroute_queries_total Queries.\n"
              "# TYPE pgroute_queries_total counter\n"
              "pgroute_queries_total{endpoint=\"write\",node=\"pg1\"} 42\n"
              "pgroute_queries_total 7\n");
}

TEST(MetricsWriter, LabelValuesEscapeBackslashQuoteAndNewline) {
    metrics_writer out;
    out.family("x", metric_type::gauge, "h");
    out.sample({{"node", "a\\b\"c\nd"}}, std::uint64_t{1});
    EXPECT_NE(out.text().find("x{node=\"a\\\\b\\\"c\\nd\"} 1\n"), std::string::npos) << out.text();
}

TEST(MetricsWriter, HelpEscapesBackslashAndNewlineButNotQuotes) {
    metrics_writer out;
    out.family("x", metric_type::gauge, "say \"hi\"\\\nbye");
    EXPECT_EQ(out.text().substr(0, out.text().find('\n') + 1), "# HELP x say \"hi\"\\\\\\nbye\n");
}

TEST(MetricsWriter, UnsignedCountersPrintEveryDigit) {
    metrics_writer out;
    out.family("x_total", metric_type::counter, "h");
    out.sample({}, std::numeric_limits<std::uint64_t>::max());
    EXPECT_NE(out.text().find("x_total 18446744073709551615\n"), std::string::npos);
}

TEST(MetricsWriter, HistogramBucketsAreCumulativeAndEndWithInfSumAndCount) {
    metrics_writer out;
    out.family("d_seconds", metric_type::histogram, "h");
    const std::array<double, 2> bounds{0.005, 1};
    const std::array<std::uint64_t, 3> counts{2, 3, 1};
    out.histogram({{"node", "pg1"}}, bounds, counts, 4.25);
    EXPECT_EQ(out.text(),
              "# HELP d_seconds h\n"
              "# TYPE d_seconds histogram\n"
              "d_seconds_bucket{node=\"pg1\",le=\"0.005\"} 2\n"
              "d_seconds_bucket{node=\"pg1\",le=\"1\"} 5\n"
              "d_seconds_bucket{node=\"pg1\",le=\"+Inf\"} 6\n"
              "d_seconds_sum{node=\"pg1\"} 4.25\n"
              "d_seconds_count{node=\"pg1\"} 6\n");
}

TEST(MetricsWriter, ValuesUseTheFormatsSpecialSpellings) {
    EXPECT_EQ(format_metric_value(std::numeric_limits<double>::infinity()), "+Inf");
    EXPECT_EQ(format_metric_value(-std::numeric_limits<double>::infinity()), "-Inf");
    EXPECT_EQ(format_metric_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(MetricsWriter, ValuesAreShortestDecimalsThatReadBackExactly) {
    EXPECT_EQ(format_metric_value(0), "0");
    EXPECT_EQ(format_metric_value(0.0001), "0.0001");
    EXPECT_EQ(format_metric_value(0.1), "0.1");
    EXPECT_EQ(format_metric_value(60), "60");
    EXPECT_EQ(format_metric_value(1712345678.25), "1712345678.25");
    EXPECT_EQ(format_metric_value(-2.5), "-2.5");
    for (const double value : {1e-9, 3.3e-7, 1e300, 123456.789012345}) {
        EXPECT_EQ(std::stod(format_metric_value(value)), value) << format_metric_value(value);
    }
}

}  // namespace
}  // namespace pgroute::proxy
