// What the health monitor runs by: the seed members, how often and how long it polls, how it
// reaches the REST APIs, and the rules' bounds. pgroute.yaml's `patroni` section embeds the
// timing and the rules as they are, so each default is written once, here and in rules_config.h.
#pragma once

#include <chrono>
#include <vector>

#include "health/patroni/api_access.h"
#include "health/patroni/members.h"
#include "health/topology/rules_config.h"

namespace pgroute::health {

struct poll_timing {
    std::chrono::milliseconds interval{1000};
    std::chrono::milliseconds fast_interval{250};  // while there is no write target
    std::chrono::milliseconds timeout{1000};       // per request, connect to last byte

    bool operator==(const poll_timing&) const = default;
};

struct monitor_config {
    std::vector<cluster_member> seeds;  // always polled; /cluster adds and removes the others
    poll_timing timing{};
    api_access access{};  // https and basic auth; the context outlives us
    rules_config rules{};
};

}  // namespace pgroute::health
