#include "proxy/metrics/process_stats.h"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace pgroute::proxy {

namespace {

std::optional<std::uint64_t> to_number(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::string read_file(const char* path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::uint64_t count_open_fds() {
    std::error_code ec;
    std::uint64_t count = 0;
    for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
         it.increment(ec)) {
        ++count;
    }
    // The directory iterator holds one descriptor of its own while it counts.
    return count > 0 ? count - 1 : 0;
}

}  // namespace

std::optional<proc_pid_stat> parse_proc_pid_stat(std::string_view text) {
    // The command name sits in parentheses and may contain anything, ')' included.
    const auto name_end = text.rfind(')');
    if (name_end == std::string_view::npos) return std::nullopt;
    std::vector<std::string_view> fields;  // fields[0] is field 3 of proc(5), the state
    std::size_t at = name_end + 1;
    while (at < text.size()) {
        while (at < text.size() && (text[at] == ' ' || text[at] == '\n'))
            ++at;
        const auto start = at;
        while (at < text.size() && text[at] != ' ' && text[at] != '\n')
            ++at;
        if (at > start) fields.push_back(text.substr(start, at - start));
    }
    const auto field = [&](std::size_t number) -> std::optional<std::uint64_t> {
        if (number - 3 >= fields.size()) return std::nullopt;
        return to_number(fields[number - 3]);
    };
    const auto utime = field(14), stime = field(15), start = field(22), vsize = field(23),
               rss = field(24);
    if (!utime || !stime || !start || !vsize || !rss) return std::nullopt;
    return proc_pid_stat{*utime, *stime, *start, *vsize, *rss};
}

std::optional<std::uint64_t> parse_boot_time(std::string_view proc_stat) {
    std::size_t at = 0;
    while (at < proc_stat.size()) {
        auto end = proc_stat.find('\n', at);
        if (end == std::string_view::npos) end = proc_stat.size();
        const auto line = proc_stat.substr(at, end - at);
        if (line.starts_with("btime ")) return to_number(line.substr(6));
        at = end + 1;
    }
    return std::nullopt;
}

process_stats read_process_stats() {
    process_stats stats;
    const auto ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    if (const auto own = parse_proc_pid_stat(read_file("/proc/self/stat")); own && ticks > 0) {
        stats.cpu_seconds = static_cast<double>(own->utime_ticks + own->stime_ticks) / ticks;
        stats.virtual_bytes = own->virtual_bytes;
        stats.resident_bytes =
            own->resident_pages * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
        if (const auto boot = parse_boot_time(read_file("/proc/stat"))) {
            stats.start_time_seconds =
                static_cast<double>(*boot) + static_cast<double>(own->start_ticks) / ticks;
        }
    }
    stats.open_fds = count_open_fds();
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) stats.max_fds = limit.rlim_cur;
    return stats;
}

}  // namespace pgroute::proxy
