// The operator's bounds for the topology rules: how far behind a readable replica may be, and how
// many rounds it takes to enter (rise) or leave (fall) the read pool on uncertain evidence.
#pragma once

#include <chrono>
#include <cstdint>

namespace pgroute::health {

struct rules_config {
    std::uint64_t max_lag_bytes = std::uint64_t{1} << 20;
    std::chrono::milliseconds max_lag_time{0};  // zero: no bound on replay age
    unsigned rise = 2;
    unsigned fall = 3;

    bool operator==(const rules_config&) const = default;
};

}  // namespace pgroute::health
