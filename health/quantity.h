// Sizes and durations spelled the way PostgreSQL spells them ("16kB", "1GB", "500ms", "2min"),
// shared by the health monitor and the proxy's configuration parser.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "health/result.h"

namespace pgroute::health {

// A byte count: a bare number is bytes; units B, kB, MB, GB, TB are 1024-based and
// case-sensitive as in PostgreSQL ("1MB" = 1048576). Whitespace may separate number and unit.
[[nodiscard]] Result<std::uint64_t> parse_size(std::string_view text);

// A duration that must carry a unit: ms, s, m or min, h, d ("500ms", "1s", "2m", "0s").
[[nodiscard]] Result<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace pgroute::health
