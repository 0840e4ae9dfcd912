// The standard process_* metrics (CPU, memory, file descriptors, start time) as Prometheus'
// own clients export them, read from /proc.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace pgroute::proxy {

struct process_stats {
    double cpu_seconds = 0;  // user + system
    std::uint64_t resident_bytes = 0;
    std::uint64_t virtual_bytes = 0;
    std::uint64_t open_fds = 0;
    std::uint64_t max_fds = 0;
    double start_time_seconds = 0;  // since the Unix epoch
};

// The fields of /proc/<pid>/stat that process_stats needs, in the kernel's units.
struct proc_pid_stat {
    std::uint64_t utime_ticks = 0;
    std::uint64_t stime_ticks = 0;
    std::uint64_t start_ticks = 0;  // since boot
    std::uint64_t virtual_bytes = 0;
    std::uint64_t resident_pages = 0;
};

// Pure parsers, so the odd cases (a command name with spaces and parentheses) are tested.
[[nodiscard]] std::optional<proc_pid_stat> parse_proc_pid_stat(std::string_view text);
// "btime" of /proc/stat: boot time in seconds since the epoch.
[[nodiscard]] std::optional<std::uint64_t> parse_boot_time(std::string_view proc_stat);

// This process now; a field /proc does not give stays 0.
[[nodiscard]] process_stats read_process_stats();

}  // namespace pgroute::proxy
