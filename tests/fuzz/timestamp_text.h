// Writes a time point the way Patroni prints replayed_timestamp (UTC, to the nanosecond), so the
// targets can check that what the timestamp parser accepted reads back as the same instant.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace pgroute::fuzz {

inline std::string patroni_timestamp_text(std::chrono::system_clock::time_point at) {
    using namespace std::chrono;
    const auto exact = time_point_cast<nanoseconds>(at);
    const sys_days day = floor<days>(exact);
    const year_month_day date{day};
    const hh_mm_ss time{exact - day};
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u %02lld:%02lld:%02lld.%09lld+00:00",
                  static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                  static_cast<unsigned>(date.day()), static_cast<long long>(time.hours().count()),
                  static_cast<long long>(time.minutes().count()),
                  static_cast<long long>(time.seconds().count()),
                  static_cast<long long>(time.subseconds().count()));
    return text;
}

}  // namespace pgroute::fuzz
