// Decides whether a running session must be cut after a new topology snapshot: the
// protocol-aware version of HAProxy's `on-marked-down shutdown-sessions`. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "health/topology/snapshot.h"
#include "proxy/config/config.h"

namespace pgroute::proxy {

enum class cut_reason {
    leader_changed,
    no_write_target,
    node_promoted,
    node_lost,
    replica_lagging,
    drained,  // an operator drained the node (pgroute drain): at the session's next idle point
    shutdown
};

[[nodiscard]] std::string_view to_string(cut_reason reason);

struct cut_order {
    cut_reason reason;
    std::string message;     // for the client's ErrorResponse and the log
    bool when_idle = false;  // wait for ReadyForQuery 'I' instead of cutting now
};

// What a session was routed to: the leader (write endpoint, or a read endpoint's fallback) or
// a replica.
enum class session_role { leader, replica };

[[nodiscard]] std::optional<cut_order> decide_cut(session_role role, std::string_view node_name,
                                                  const endpoint_config& endpoint,
                                                  const health::topology_snapshot& topology);

}  // namespace pgroute::proxy
