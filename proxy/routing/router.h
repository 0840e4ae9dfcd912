// Picks the node for a new session: a pure function of the topology snapshot, the endpoint and
// a round-robin ticket, so every routing rule is unit-testable without sockets.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "health/topology/snapshot.h"
#include "proxy/config/config.h"

namespace pgroute::proxy {

struct route_decision {
    std::optional<std::size_t> node;  // index into topology.nodes
    std::string refusal;              // why no node, for the client's 57P03 message
};

// `ticket` increases by one per session on the caller's side (round-robin). `sessions_per_node`
// (aligned with topology.nodes) is consulted only for least-connections balancing.
[[nodiscard]] route_decision pick_node(const health::topology_snapshot& topology,
                                       const endpoint_config& endpoint, std::uint64_t ticket,
                                       std::span<const std::uint32_t> sessions_per_node = {});

}  // namespace pgroute::proxy
