// Nodes an operator drained (`pgroute drain NODE`, before maintenance), laid over what the source
// reports: a drained node is neither the write target nor readable, whatever its health, so no
// new session goes there, and its running sessions see it leave its role. Pure.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "health/topology/snapshot.h"

namespace pgroute::health {

inline constexpr std::string_view drained_reason = "drained by an operator";

// `reported` with the nodes named in `drained` marked and taken out of routing. Names that are
// not nodes of `reported` change nothing.
[[nodiscard]] topology_snapshot with_drains(topology_snapshot reported,
                                            const std::set<std::string, std::less<>>& drained);

}  // namespace pgroute::health
