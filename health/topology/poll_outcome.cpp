#include "health/topology/poll_outcome.h"

namespace pgroute::health {

std::string_view to_string(PollOutcome outcome) {
    switch (outcome) {
        case PollOutcome::ok:
            return "ok";
        case PollOutcome::unreachable:
            return "unreachable";
        case PollOutcome::timeout:
            return "timeout";
        case PollOutcome::http_error:
            return "http_error";
        case PollOutcome::malformed_json:
            return "malformed_json";
        case PollOutcome::unexpected_fields:
            return "unexpected_fields";
    }
    return "unknown";
}

}  // namespace pgroute::health
