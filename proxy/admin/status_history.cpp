#include "proxy/admin/status_history.h"

#include <utility>

namespace pgroute::proxy {

void status_history::record(history_sample sample) {
    if (!samples_.empty()) {
        const auto& last = samples_.back();
        // A time outside the interval (a clock step, a board that never said) falls back to the
        // sample's own.
        const auto changed = sample.last_leader_change_at;
        const auto leader_at = changed > last.at && changed <= sample.at ? changed : sample.at;
        note(sample, leader_at, history_event_kind::leader_change, last.leader_changes,
             sample.leader_changes);
        note(sample, sample.at, history_event_kind::cut, last.cuts, sample.cuts);
        note(sample, sample.at, history_event_kind::move, last.moves, sample.moves);
    }
    samples_.push(std::move(sample));
}

void status_history::note(const history_sample& sample, std::chrono::system_clock::time_point at,
                          history_event_kind kind, std::uint64_t before, std::uint64_t now) {
    // The counters only grow; a sum read while a worker bumps can lag by one, never go back
    // for long, so a dip is noise rather than an event.
    if (now <= before) return;
    events_.push({at, kind, now - before, sample.leader});
}

}  // namespace pgroute::proxy
