// What the topology rules tests (topology_rules_test.cpp, topology_read_pool_test.cpp) build
// their rounds from: observations of leaders, replicas and failed polls, rounds fed through the
// rules as the monitor feeds them, and what a snapshot says in names.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "health/topology/rules.h"

namespace pgroute::health::testing {

using std::chrono::system_clock;

inline constexpr std::uint64_t mib = 1 << 20;
inline const system_clock::time_point now =
    system_clock::time_point{} + std::chrono::seconds(1'700'000'000);

inline node_observation answered(std::string name, node_status status) {
    node_observation observation;
    observation.address = {.name = std::move(name), .host = "127.0.0.1", .port = 5432};
    observation.outcome = poll_outcome::ok;
    observation.status = std::move(status);
    return observation;
}

inline node_observation leader(std::string name, std::uint64_t location,
                               std::string state = "running") {
    return answered(std::move(name), {.role = node_role::leader,
                                      .state = std::move(state),
                                      .timeline = 1,
                                      .leader_location = location});
}

inline node_observation replica(std::string name, std::uint64_t replayed,
                                std::optional<system_clock::time_point> replayed_timestamp = {}) {
    return answered(std::move(name), {.role = node_role::replica,
                                      .state = "running",
                                      .timeline = 1,
                                      .received_location = replayed,
                                      .replayed_location = replayed,
                                      .replayed_timestamp = replayed_timestamp});
}

// A poll that failed: the status stays as default as it is when nothing parsed.
inline node_observation failed(std::string name, poll_outcome outcome) {
    node_observation observation = answered(std::move(name), {});
    observation.outcome = outcome;
    return observation;
}

// Feeds successive rounds through the rules the way the monitor does.
class rule_rounds {
  public:
    explicit rule_rounds(rules_config config = {.max_lag_bytes = mib, .rise = 2, .fall = 3})
        : config_(config) {}

    const topology_snapshot& run(const std::vector<node_observation>& round,
                                 system_clock::time_point at = now) {
        last_ = apply_round(config_, state_, round, at);
        state_ = last_.state;
        return *last_.snapshot;
    }

    const std::vector<topology_event>& events() const { return last_.events; }

  private:
    rules_config config_;
    hysteresis_state state_;
    round_result last_;
};

inline std::string write_target(const topology_snapshot& topology) {
    return topology.leader() ? topology.leader()->address.name : "none";
}

inline std::vector<std::string> readable(const topology_snapshot& topology) {
    std::vector<std::string> names;
    for (const std::size_t i : topology.readable)
        names.push_back(topology.nodes[i].address.name);
    return names;
}

inline const node_view& node(const topology_snapshot& topology, std::string_view name) {
    for (const node_view& view : topology.nodes) {
        if (view.address.name == name) return view;
    }
    throw std::out_of_range(std::string(name));
}

}  // namespace pgroute::health::testing
