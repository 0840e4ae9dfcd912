#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>

#include "proxy/metrics/process_stats.h"

namespace pgroute::proxy {
namespace {

// proc(5): utime is field 14, stime 15, starttime 22, vsize 23, rss 24.
constexpr std::string_view sample_stat =
    "4242 (pg route) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 "
    "150 25 0 0 20 0 3 0 987654 123456789 2345 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 "
    "1 0 0 0 0 0\n";

TEST(metrics_process, ParsesStatFieldsAfterACommandNameWithSpacesAndParens) {
    const auto stat = parse_proc_pid_stat(sample_stat);
    ASSERT_TRUE(stat);
    EXPECT_EQ(stat->utime_ticks, 150u);
    EXPECT_EQ(stat->stime_ticks, 25u);
    EXPECT_EQ(stat->start_ticks, 987654u);
    EXPECT_EQ(stat->virtual_bytes, 123456789u);
    EXPECT_EQ(stat->resident_pages, 2345u);
}

TEST(metrics_process, RejectsATruncatedStatLine) {
    EXPECT_FALSE(parse_proc_pid_stat("4242 (pgroute) S 1 4242 4242 0"));
    EXPECT_FALSE(parse_proc_pid_stat("no parenthesis at all"));
}

TEST(metrics_process, FindsTheBootTimeLine) {
    EXPECT_EQ(parse_boot_time("cpu  1 2 3\nintr 5\nbtime 1712345678\nprocesses 9\n"), 1712345678u);
    EXPECT_FALSE(parse_boot_time("cpu  1 2 3\n"));
}

TEST(metrics_process, ReadsThisProcessPlausibly) {
    const auto stats = read_process_stats();
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    EXPECT_GT(stats.resident_bytes, 1u << 20);
    EXPECT_GE(stats.virtual_bytes, stats.resident_bytes);
    EXPECT_GE(stats.open_fds, 3u);  // stdin, stdout, stderr at least
    EXPECT_GT(stats.max_fds, stats.open_fds);
    EXPECT_LE(stats.start_time_seconds, now + 1);
    EXPECT_GT(stats.start_time_seconds, now - 3600);  // this test process started recently
    EXPECT_GE(stats.cpu_seconds, 0);
}

TEST(metrics_process, CountsADescriptorThisProcessOpens) {
    const auto before = read_process_stats().open_fds;
    const int fd = dup(1);
    ASSERT_GE(fd, 0);
    EXPECT_EQ(read_process_stats().open_fds, before + 1);
    close(fd);
}

}  // namespace
}  // namespace pgroute::proxy
