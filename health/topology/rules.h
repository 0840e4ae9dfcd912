// The pure heart of pgroute's health checking: one round of poll results, the memory of earlier
// rounds and the operator's bounds in; the next immutable snapshot, the updated memory and the
// changes the proxy must act on out. No I/O, no clock: every input is explicit.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "health/topology/events.h"
#include "health/topology/node_status.h"
#include "health/topology/poll_outcome.h"
#include "health/topology/rules_config.h"
#include "health/topology/snapshot.h"

namespace pgroute::health {

// One node's poll in this round.
struct node_observation {
    node_address address{};
    poll_outcome outcome = poll_outcome::unreachable;
    node_status status{};  // meaningful when outcome is ok
};

// What the rules remember about a node between rounds.
struct node_history {
    std::optional<node_status> last_status;  // the latest answer that parsed
    unsigned failed_polls = 0;               // consecutive polls without a parsed answer
    unsigned good_rounds = 0;                // consecutive rounds fit for reads
    unsigned unknown_rounds = 0;             // consecutive rounds whose fitness was not measurable
    bool judged = false;                     // some round has measured its fitness, good or not
    bool readable = false;
};

struct hysteresis_state {
    std::map<std::string, node_history> nodes;  // by node name; only current members
    topology_ptr previous;                      // null before the first snapshot
};

struct round_result {
    topology_ptr snapshot;
    hysteresis_state state;  // feed into the next round
    std::vector<topology_event> events;
};

// `round` lists the current members in the order the snapshot keeps; `now` is when the round's
// polls were made, for the age of replayed_timestamp.
//  - write target: the single node trusted to say leader and running (a failed poll keeps the
//    last answer until `fall` failures); a new leader is taken at once.
//  - readable: a replica that is running, not tagged noloadbalance and within the lag bounds
//    measured against the leader's position from this round. It enters after `rise` good rounds
//    (at once if it has never been judged, so pgroute serves right after start-up), leaves at
//    once when its answer shows it unfit, and after `fall` rounds when fitness is unmeasurable.
[[nodiscard]] round_result apply_round(const rules_config& config, const hysteresis_state& previous,
                                       const std::vector<node_observation>& round,
                                       std::chrono::system_clock::time_point now);

}  // namespace pgroute::health
