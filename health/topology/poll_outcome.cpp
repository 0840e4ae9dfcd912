#include "health/topology/poll_outcome.h"

namespace pgroute::health {

std::string_view to_string(poll_outcome outcome) {
    switch (outcome) {
        case poll_outcome::ok:
            return "ok";
        case poll_outcome::unreachable:
            return "unreachable";
        case poll_outcome::timeout:
            return "timeout";
        case poll_outcome::http_error:
            return "http_error";
        case poll_outcome::malformed_json:
            return "malformed_json";
        case poll_outcome::unexpected_fields:
            return "unexpected_fields";
    }
    return "unknown";
}

}  // namespace pgroute::health
