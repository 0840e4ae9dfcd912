// What the health monitor needs from pgroute.yaml's `nodes` and `patroni` sections; the proxy's
// configuration parser fills it.
#pragma once

#include <chrono>
#include <vector>

#include "health/api_access.h"
#include "health/members.h"
#include "health/rules_config.h"

namespace pgroute::health {

struct MonitorConfig {
    std::vector<Member> seeds;  // always polled; /cluster adds and removes the others
    std::chrono::milliseconds interval{1000};
    std::chrono::milliseconds fast_interval{250};  // while there is no write target
    std::chrono::milliseconds timeout{1000};       // per request, connect to last byte
    ApiAccess access{};                            // https and basic auth; the context outlives us
    RulesConfig rules{};
};

}  // namespace pgroute::health
