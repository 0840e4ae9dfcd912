// Picks the one node that may take writes: the single node whose trusted status says leader AND
// running. Two claimants, or none, give no write target and a reason, never a guess.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>

#include "health/topology/node_round.h"

namespace pgroute::health {

struct write_target_choice {
    std::optional<std::size_t> index{};  // into the nodes given
    std::string reason{};                // why there is none, when index is empty
};

[[nodiscard]] write_target_choice choose_write_target(std::span<const node_round> nodes);

}  // namespace pgroute::health
