// Reads the timestamps Patroni prints for replayed_timestamp: Python's str() of an aware datetime,
// "2024-01-01 12:00:00.123456+00:00" (the fraction is absent when it is zero).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace pgroute::health {

// Accepts "YYYY-MM-DD HH:MM:SS[.fraction](+|-)HH:MM" with ' ' or 'T' between date and time and
// 'Z' for UTC; empty when the text is not such a timestamp, names a day that does not exist, or
// lies outside what system_clock can hold (1677 to 2262 with libstdc++'s nanoseconds).
[[nodiscard]] std::optional<std::chrono::system_clock::time_point> parse_patroni_timestamp(
    std::string_view text);

}  // namespace pgroute::health
