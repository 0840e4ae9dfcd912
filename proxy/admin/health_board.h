// What the health side last reported (topology, Patroni poll counts, leader changes, recent
// events), kept for the admin listener.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "health/topology/topology_source.h"

namespace pgroute::proxy {

struct timed_event {
    std::chrono::system_clock::time_point at;
    std::string text;
};

// "2024-05-01T12:00:00Z": how the admin pages print an event's time.
[[nodiscard]] std::string format_utc(std::chrono::system_clock::time_point at);

struct health_report {
    bool patroni = false;  // false: static roles, no polls
    health::topology_ptr topology;
    std::map<std::string, health::poll_counts> status_polls;
    health::poll_counts cluster_polls{};
    std::map<std::string, health::poll_durations> status_poll_durations;
    std::uint64_t health_rounds = 0;
    // Times a node became the write target after another node had been it (a switchover or a
    // failover counts once, however long the cluster had no leader in between).
    std::uint64_t leader_changes = 0;
    // The round that saw the last of them, so the status page's charts can mark it to the second
    // rather than at their next sample.
    std::chrono::system_clock::time_point last_leader_change_at{};
    std::deque<timed_event> recent_events;  // oldest first
};

// Written after every health round on the monitor's thread (once at start in static mode) and
// read by the admin thread. A mutex is fine: it changes once per poll interval and is never
// touched on the data path.
class health_board {
  public:
    static constexpr std::size_t recent_event_limit = 20;

    health_board(health::topology_ptr initial, bool patroni);

    void publish(health::topology_update round);
    [[nodiscard]] health_report read() const;

  private:
    mutable std::mutex lock_;
    health_report report_;
    std::string last_leader_;  // the last node seen as write target; empty before the first
};

}  // namespace pgroute::proxy
