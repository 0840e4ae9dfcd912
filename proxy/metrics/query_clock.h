// Times and counts a session's query cycles as the protocol delimits them, pipelining included.
// Owned by one session's relay; no allocation.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "protocol/backend_message.h"
#include "proxy/metrics/counters.h"

namespace pgroute::proxy {

// Each Query, Sync or FunctionCall the client sends is answered by exactly one ReadyForQuery, in
// order, so a small ring of send times pairs them even when the client pipelines.
class query_clock {
  public:
    using clock = std::chrono::steady_clock;
    // Pipelined cycles beyond this many in flight are counted but not timed. Every session's
    // relay holds the ring, idle or not: deep pipelines are rare (libpq and pgbench send one
    // Sync per pipeline), an idle session's bytes are not.
    static constexpr std::size_t max_timed_in_flight = 8;

    explicit query_clock(route_counters& counters) : counters_(counters) {}

    // The client sent a message that the server answers with one ReadyForQuery.
    void cycle_sent(clock::time_point now);
    // The server sent ReadyForQuery; the ones without a cycle in flight (after authentication)
    // end nothing.
    void ready_for_query(protocol::transaction_status status, clock::time_point now);

    [[nodiscard]] std::size_t in_flight() const { return timed_ + untimed_; }

  private:
    route_counters& counters_;
    std::array<clock::time_point, max_timed_in_flight> sent_{};
    std::size_t oldest_ = 0;
    std::size_t timed_ = 0;
    std::uint64_t untimed_ = 0;  // sent while the ring was full, all after the timed ones
};

// True for the client messages that query_clock::cycle_sent is for.
[[nodiscard]] bool starts_query_cycle(char frontend_message_type);

}  // namespace pgroute::proxy
