// The immutable picture of the cluster that routing decisions are made from. A new snapshot is
// built after every health round and published whole; nothing mutates a published snapshot.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pgroute::health {

enum class node_role { unknown, leader, replica, standby_leader, demoted };

struct node_address {
    std::string name;
    std::string host;
    std::uint16_t port = 0;

    bool operator==(const node_address&) const = default;
};

struct node_view {
    node_address address;
    node_role role = node_role::unknown;
    std::string state;                // Patroni's state ("running", "stopped", ...) or "static"
    bool up = false;                  // the last poll answered and the node is usable at all
    bool readable = false;            // eligible for new read sessions
    std::string not_readable_reason;  // empty when readable (or when this is the leader)
    std::optional<std::uint64_t> lag_bytes;  // replicas only, from the same poll round
    std::optional<double> lag_seconds;       // replicas only, from replayed_timestamp
    std::optional<std::uint64_t> timeline;
    bool drained = false;  // an operator took it out of routing (pgroute drain): see drains.h
};

struct topology_snapshot {
    std::uint64_t generation = 0;  // grows by one with every published snapshot
    std::vector<node_view> nodes;
    std::optional<std::size_t> write_target;  // index into nodes; never more than one
    std::vector<std::size_t> readable;        // indexes into nodes, in nodes order
    std::string no_write_target_reason;       // why write_target is empty, for errors and logs

    const node_view* leader() const { return write_target ? &nodes[*write_target] : nullptr; }
};

using topology_ptr = std::shared_ptr<const topology_snapshot>;

}  // namespace pgroute::health
