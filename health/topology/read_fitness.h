// Judges from one round's evidence whether a node may take new read sessions. The verdict
// separates what a node told us (unfit: it leaves the read pool at once) from what we could not
// measure (unknown: it leaves only after `fall` such rounds).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "health/topology/node_round.h"
#include "health/topology/rules_config.h"

namespace pgroute::health {

enum class read_fitness { good, unfit, unknown };

struct read_verdict {
    read_fitness fitness = read_fitness::unknown;
    std::string reason{};  // empty when good
    std::optional<std::uint64_t> lag_bytes{};
    std::optional<double> lag_seconds{};
};

// `leader_location` is the write target's xlog.location from this same round, if it answered:
// comparing positions from different rounds would invent lag or hide it.
[[nodiscard]] read_verdict judge_read_fitness(const node_round& node,
                                              std::optional<std::uint64_t> leader_location,
                                              const rules_config& config,
                                              std::chrono::system_clock::time_point now);

}  // namespace pgroute::health
