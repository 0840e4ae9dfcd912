#include "proxy/admin/status_history.h"

#include <utility>

namespace pgroute::proxy {

void status_history::record(history_sample sample) {
    if (!samples_.empty()) {
        const auto& last = samples_.back();
        note(sample, history_event_kind::leader_change, last.leader_changes, sample.leader_changes);
        note(sample, history_event_kind::cut, last.cuts, sample.cuts);
        note(sample, history_event_kind::move, last.moves, sample.moves);
    }
    samples_.push(std::move(sample));
}

void status_history::note(const history_sample& sample, history_event_kind kind,
                          std::uint64_t before, std::uint64_t now) {
    // The counters only grow; a sum read while a worker bumps can lag by one, never go back
    // for long, so a dip is noise rather than an event.
    if (now <= before) return;
    events_.push({sample.at, kind, now - before, sample.leader});
}

}  // namespace pgroute::proxy
