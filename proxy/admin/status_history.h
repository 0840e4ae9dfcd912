// The last 15 minutes the status page charts: a sample every 10 s and the topology events seen
// between samples. Lives on the admin thread (the sampler writes it, the page reads it), so it
// takes no lock; nothing on the data path knows it exists.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "proxy/admin/bounded_ring.h"
#include "proxy/admin/history_sample.h"

namespace pgroute::proxy {

enum class history_event_kind { leader_change, cut, move };

struct history_event {
    // When the health round saw a leader change; for cuts and moves, whose counters carry no
    // time, the sample that saw them.
    std::chrono::system_clock::time_point at;
    history_event_kind kind;
    std::uint64_t count =
        0;               // leader changes, sessions cut or sessions moved since the last sample
    std::string leader;  // the write target when it was seen; empty when none
};

class status_history {
  public:
    static constexpr std::chrono::seconds sample_interval{10};
    static constexpr std::chrono::minutes window{15};
    // One more than the intervals in the window, so the oldest sample starts the window.
    static constexpr std::size_t sample_capacity = window / sample_interval + 1;
    // Far more than a healthy cluster makes in 15 minutes; a flapping one keeps its latest.
    static constexpr std::size_t event_capacity = 64;

    status_history() = default;

    // Samples arrive oldest first. A counter of events that rose since the previous sample
    // becomes an event: a leader change at the time the sample says the last one was seen, cuts
    // and moves at this sample's time.
    void record(history_sample sample);

    [[nodiscard]] const bounded_ring<history_sample>& samples() const { return samples_; }
    [[nodiscard]] const bounded_ring<history_event>& events() const { return events_; }

  private:
    void note(const history_sample& sample, std::chrono::system_clock::time_point at,
              history_event_kind kind, std::uint64_t before, std::uint64_t now);

    bounded_ring<history_sample> samples_{sample_capacity};
    bounded_ring<history_event> events_{event_capacity};
};

}  // namespace pgroute::proxy
