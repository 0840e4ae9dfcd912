// How one poll of a node's REST API ended; the monitor counts these per node, and the names
// double as log words and metric labels.
#pragma once

#include <cstddef>
#include <string_view>

namespace pgroute::health {

enum class poll_outcome {
    ok,
    unreachable,        // name resolution, connect or the connection itself failed
    timeout,            // no complete answer within the poll timeout
    http_error,         // an answer that is not a usable HTTP 200 response
    malformed_json,     // HTTP 200 whose body is not JSON
    unexpected_fields,  // JSON, but not shaped like Patroni's answer (missing keys, wrong types)
};

inline constexpr std::size_t poll_outcome_count = 6;

[[nodiscard]] std::string_view to_string(poll_outcome outcome);

}  // namespace pgroute::health
