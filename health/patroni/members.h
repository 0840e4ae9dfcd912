// Cluster membership: the members Patroni lists in GET /cluster, merged with the configured seeds.
// /cluster is about ten seconds stale and its lag is measured from received WAL, so pgroute takes
// only membership from it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "health/topology/poll_outcome.h"
#include "health/topology/snapshot.h"

namespace pgroute::health {

struct cluster_member {
    node_address address{};  // name, and where PostgreSQL listens
    std::string api_url{};   // base URL of the Patroni REST API, without the "/patroni" path

    bool operator==(const cluster_member&) const = default;
};

struct members_parse {
    poll_outcome outcome = poll_outcome::ok;  // ok, malformed_json or unexpected_fields
    std::vector<cluster_member> members{};    // in /cluster's order
    std::string error{};                      // what was wrong, when outcome is not ok
};

// Never throws and never crashes, whatever the bytes. A member without a port gets 5432, as
// PostgreSQL's default.
[[nodiscard]] members_parse parse_cluster_members(std::string_view json);

// The members to poll: every seed, always and as configured (the operator's addresses win), then
// each discovered member that is not a seed, in /cluster's order. A member missing from
// `discovered` that is not a seed is thereby gone.
[[nodiscard]] std::vector<cluster_member> merge_members(
    const std::vector<cluster_member>& seeds, const std::vector<cluster_member>& discovered);

}  // namespace pgroute::health
