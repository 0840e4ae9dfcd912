// Sizes and durations spelled the way PostgreSQL spells them ("16kB", "1GB", "500ms", "2min"),
// as pgroute.yaml takes them.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "health/patroni/result.h"

namespace pgroute::proxy {

// A byte count: a bare number is bytes; units B, kB, MB, GB, TB are 1024-based and
// case-sensitive as in PostgreSQL ("1MB" = 1048576). Whitespace may separate number and unit.
[[nodiscard]] health::parsed<std::uint64_t> parse_size(std::string_view text);

// A duration that must carry a unit: ms, s, m or min, h, d ("500ms", "1s", "2m", "0s").
[[nodiscard]] health::parsed<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace pgroute::proxy
