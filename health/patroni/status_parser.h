// Parses a node's answer to Patroni's GET /patroni into the topology's node_status.
#pragma once

#include <string>
#include <string_view>

#include "health/topology/node_status.h"
#include "health/topology/poll_outcome.h"

namespace pgroute::health {

struct status_parse {
    poll_outcome outcome = poll_outcome::ok;  // ok, malformed_json or unexpected_fields
    node_status status{};                     // meaningful when outcome is ok
    std::string error{};                      // what was wrong, when outcome is not ok
};

// Never throws and never crashes, whatever the bytes; unknown fields are ignored.
[[nodiscard]] status_parse parse_patroni_status(std::string_view json);

// Maps the role of GET /patroni: "master" (Patroni < 4) and "primary" (Patroni 4) are the leader;
// roles pgroute does not route by ("uninitialized", future names) are unknown.
[[nodiscard]] node_role parse_patroni_role(std::string_view role);

}  // namespace pgroute::health
