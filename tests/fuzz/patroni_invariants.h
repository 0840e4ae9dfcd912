// Invariants every fuzz target of a Patroni JSON parser checks of the outcome it gets back.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "health/topology/poll_outcome.h"
#include "tests/fuzz/invariant.h"

namespace pgroute::fuzz {

inline void check_json_outcome(health::poll_outcome outcome, const std::string& error,
                               std::string_view body) {
    using health::poll_outcome;
    require(outcome == poll_outcome::ok || outcome == poll_outcome::malformed_json ||
                outcome == poll_outcome::unexpected_fields,
            "the outcome is ok, malformed_json or unexpected_fields");
    require((outcome == poll_outcome::malformed_json) == !nlohmann::json::accept(body),
            "malformed_json is exactly what is not JSON");
    require((outcome == poll_outcome::ok) == error.empty(),
            "an error is given exactly when the outcome is not ok");
}

}  // namespace pgroute::fuzz
