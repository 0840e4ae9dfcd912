#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "admin_sources_fixture.h"
#include "proxy/admin/exposition_writer.h"
#include "proxy/admin/metrics_collectable.h"

namespace pgroute::proxy {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

MetricFamily family(const std::string& name, MetricType type, const std::string& help = "h") {
    MetricFamily f;
    f.name = name;
    f.help = help;
    f.type = type;
    return f;
}

ClientMetric gauge(double value, std::vector<ClientMetric::Label> labels = {}) {
    ClientMetric m;
    m.label = std::move(labels);
    m.gauge.value = value;
    return m;
}

std::string write(const MetricFamily& f) {
    return exposition_writer().Serialize(std::vector{f});
}

// The value written for a one-sample gauge.
std::string written_value(double value) {
    auto f = family("x", MetricType::Gauge);
    f.metric.push_back(gauge(value));
    const auto text = write(f);
    const auto line = text.substr(text.rfind("\nx ") + 3);
    return line.substr(0, line.size() - 1);
}

TEST(metrics_writer, FamilyStartsWithHelpAndTypeThenItsSamples) {
    auto f = family("pgroute_queries_total", MetricType::Counter, "Queries.");
    ClientMetric labelled;
    labelled.label = {{"endpoint", "write"}, {"node", "pg1"}};
    labelled.counter.value = 42;
    ClientMetric bare;
    bare.counter.value = 7;
    f.metric = {labelled, bare};
    EXPECT_EQ(write(f),
              "# HELP pgroute_queries_total Queries.\n"
              "# TYPE pgroute_queries_total counter\n"
              "pgroute_queries_total{endpoint=\"write\",node=\"pg1\"} 42\n"
              "pgroute_queries_total 7\n");
}

TEST(metrics_writer, LabelValuesEscapeBackslashQuoteAndNewline) {
    auto f = family("x", MetricType::Gauge);
    f.metric.push_back(gauge(1, {{"node", "a\\b\"c\nd"}}));
    EXPECT_NE(write(f).find("x{node=\"a\\\\b\\\"c\\nd\"} 1\n"), std::string::npos) << write(f);
}

TEST(metrics_writer, HelpEscapesBackslashAndNewlineButNotQuotes) {
    const auto text = write(family("x", MetricType::Gauge, "say \"hi\"\\\nbye"));
    EXPECT_EQ(text.substr(0, text.find('\n') + 1), "# HELP x say \"hi\"\\\\\\nbye\n");
}

TEST(metrics_writer, HistogramBucketsGetInfThenSumAndCount) {
    auto f = family("d_seconds", MetricType::Histogram);
    ClientMetric m;
    m.label = {{"node", "pg1"}};
    m.histogram.bucket = {{2, 0.005}, {5, 1}};
    m.histogram.sample_count = 6;
    m.histogram.sample_sum = 4.25;
    f.metric.push_back(m);
    EXPECT_EQ(write(f),
              "# HELP d_seconds h\n"
              "# TYPE d_seconds histogram\n"
              "d_seconds_bucket{node=\"pg1\",le=\"0.005\"} 2\n"
              "d_seconds_bucket{node=\"pg1\",le=\"1\"} 5\n"
              "d_seconds_bucket{node=\"pg1\",le=\"+Inf\"} 6\n"
              "d_seconds_sum{node=\"pg1\"} 4.25\n"
              "d_seconds_count{node=\"pg1\"} 6\n");
}

TEST(metrics_writer, AnInfBucketGivenIsNotRepeated) {
    auto f = family("d_seconds", MetricType::Histogram);
    ClientMetric m;
    m.histogram.bucket = {{3, std::numeric_limits<double>::infinity()}};
    m.histogram.sample_count = 3;
    f.metric.push_back(m);
    EXPECT_EQ(write(f),
              "# HELP d_seconds h\n"
              "# TYPE d_seconds histogram\n"
              "d_seconds_bucket{le=\"+Inf\"} 3\n"
              "d_seconds_sum 0\n"
              "d_seconds_count 3\n");
}

TEST(metrics_writer, SummariesAndUntypedSamplesAndTimestamps) {
    auto s = family("rtt_seconds", MetricType::Summary);
    ClientMetric m;
    m.summary.quantile = {{0.5, 0.01}, {0.99, 0.2}};
    m.summary.sample_count = 10;
    m.summary.sample_sum = 0.5;
    s.metric.push_back(m);
    auto u = family("u", MetricType::Untyped);
    ClientMetric v;
    v.untyped.value = 3;
    v.timestamp_ms = 1712345678000;
    u.metric.push_back(v);
    EXPECT_EQ(exposition_writer().Serialize(std::vector{s, u}),
              "# HELP rtt_seconds h\n"
              "# TYPE rtt_seconds summary\n"
              "rtt_seconds{quantile=\"0.5\"} 0.01\n"
              "rtt_seconds{quantile=\"0.99\"} 0.2\n"
              "rtt_seconds_sum 0.5\n"
              "rtt_seconds_count 10\n"
              "# HELP u h\n"
              "# TYPE u untyped\n"
              "u 3 1712345678000\n");
}

TEST(metrics_writer, ValuesUseTheFormatsSpecialSpellings) {
    EXPECT_EQ(written_value(std::numeric_limits<double>::infinity()), "+Inf");
    EXPECT_EQ(written_value(-std::numeric_limits<double>::infinity()), "-Inf");
    EXPECT_EQ(written_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(metrics_writer, ValuesAreShortestDecimalsThatReadBackExactly) {
    EXPECT_EQ(written_value(0), "0");
    EXPECT_EQ(written_value(0.0001), "0.0001");
    EXPECT_EQ(written_value(0.1), "0.1");
    EXPECT_EQ(written_value(60), "60");
    EXPECT_EQ(written_value(1712345678.25), "1712345678.25");
    EXPECT_EQ(written_value(-2.5), "-2.5");
    EXPECT_EQ(written_value(9007199254740992.0), "9.007199254740992e+15");
    for (const double value : {1e-9, 3.3e-7, 1e300, 123456.789012345, 0.1 + 0.2}) {
        EXPECT_EQ(std::stod(written_value(value)), value) << written_value(value);
    }
}

// Series name and labels -> value, read back as a double.
std::map<std::string, double> series(const std::string& page) {
    std::map<std::string, double> values;
    std::istringstream lines(page);
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with('#')) continue;
        const auto space = line.rfind(' ');
        values[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
    return values;
}

// The writer stands in for prometheus-cpp's TextSerializer: for pgroute's own families both must
// write the same series with the same values, whatever the spelling (TextSerializer rounds to 16
// digits, hence the few units in the last place).
TEST(metrics_writer, WritesTheSeriesPrometheusCppsTextSerializerWrites) {
    auto f = testing::admin_fixture(testing::make_topology(
        {{"pg1", health::node_role::leader}, {"pg2", health::node_role::replica, true}}));
    f.worker_a.route(1, "pg2").queries.add(12);
    f.worker_b.route(0, "pg1").bytes_from_server.add(987654321012);
    const auto families = metrics_collectable(f.sources).Collect();
    const auto ours = series(exposition_writer().Serialize(families));
    const auto theirs = series(prometheus::TextSerializer().Serialize(families));
    ASSERT_EQ(ours.size(), theirs.size());
    EXPECT_GT(ours.size(), 150u);
    for (auto mine = ours.begin(), other = theirs.begin(); mine != ours.end(); ++mine, ++other) {
        ASSERT_EQ(mine->first, other->first);
        EXPECT_DOUBLE_EQ(mine->second, other->second) << mine->first;
    }
}

}  // namespace
}  // namespace pgroute::proxy
