#include "proxy/log/logger.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace pgroute::proxy {

std::string_view to_string(log_level level) {
    switch (level) {
        case log_level::debug:
            return "DEBUG";
        case log_level::info:
            return "INFO";
        case log_level::warn:
            return "WARN";
        case log_level::error:
            return "ERROR";
    }
    return "?";
}

void logger::log(log_level level, std::string_view message) const {
    if (!enabled(level)) return;
    const auto now = std::chrono::system_clock::now();
    const auto secs = std::chrono::system_clock::to_time_t(now);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char stamp[64];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(millis));
    std::string line;
    line.reserve(message.size() + 48);
    line.append(stamp).append(to_string(level)).append(" ").append(message).push_back('\n');
    // A short write to stderr is not worth retrying: the log is best effort.
    [[maybe_unused]] auto written = ::write(fd_, line.data(), line.size());
}

}  // namespace pgroute::proxy
