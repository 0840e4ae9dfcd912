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

struct Member {
    NodeAddress address{};  // name, and where PostgreSQL listens
    std::string api_url{};  // base URL of the Patroni REST API, without the "/patroni" path

    bool operator==(const Member&) const = default;
};

struct MembersParse {
    PollOutcome outcome = PollOutcome::ok;  // ok, malformed_json or unexpected_fields
    std::vector<Member> members{};          // in /cluster's order
    std::string error{};                    // what was wrong, when outcome is not ok
};

// Never throws and never crashes, whatever the bytes. A member without a port gets 5432, as
// PostgreSQL's default.
[[nodiscard]] MembersParse parse_cluster_members(std::string_view json);

// The members to poll: every seed, always and as configured (the operator's addresses win), then
// each discovered member that is not a seed, in /cluster's order. A member missing from
// `discovered` that is not a seed is thereby gone.
[[nodiscard]] std::vector<Member> merge_members(const std::vector<Member>& seeds,
                                                const std::vector<Member>& discovered);

}  // namespace pgroute::health
