// What a Patroni REST API health check selects, in pgroute's terms: `option httpchk GET /primary`
// is an endpoint routed to the leader, `GET /replica?lag=1MB` one routed to replicas within 1MB.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "health/patroni/result.h"
#include "proxy/config/config.h"

namespace pgroute::proxy::migrate {

struct check_meaning {
    route_kind route = route_kind::leader;
    bool fallback_to_leader = false;
    std::optional<std::uint64_t> max_lag;  // ?lag=, in bytes
    std::vector<std::string> caveats;      // what of the check pgroute does differently
};

// `method` as HAProxy sends it (OPTIONS when the config names only a URI); an error says why the
// check has no pgroute equivalent (a Patroni endpoint pgroute does not route by, another service).
[[nodiscard]] health::parsed<check_meaning> interpret_check(std::string_view method,
                                                            std::string_view uri);

}  // namespace pgroute::proxy::migrate
