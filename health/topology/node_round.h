// One node as the topology rules see it in one round: how this round's poll ended and which
// status, fresh or still trusted, the node is judged by.
#pragma once

#include <string>
#include <string_view>

#include "health/topology/node_status.h"
#include "health/topology/poll_outcome.h"

namespace pgroute::health {

struct node_round {
    std::string_view name;
    poll_outcome outcome = poll_outcome::ok;  // this round's poll
    unsigned failed_polls = 0;  // consecutive failed polls up to and including this one
    // This round's answer; after a failed poll the last answer until `fall` failures; else null.
    const node_status* status = nullptr;
    const node_status* last_known = nullptr;  // the latest answer ever, for explanations only

    [[nodiscard]] bool answered() const { return outcome == poll_outcome::ok; }
};

// "unreachable (3 polls)": why a node that did not answer is not trusted.
[[nodiscard]] std::string describe_failed_polls(const node_round& node);

// Patroni's /patroni says "running"; /cluster says "streaming" for a replica that streams.
[[nodiscard]] bool is_running_state(std::string_view state);

}  // namespace pgroute::health
