#include "proxy/app/topology_feed.h"

#include <algorithm>

#include "health/topology/drains.h"
#include "health/topology/events.h"

namespace pgroute::proxy {

topology_feed::topology_feed(running_source first, deliver_fn deliver)
    : deliver_(std::move(deliver)),
      current_(std::move(first)),
      reported_{current_.source->initial(), {}, {}, {}, {}, {}},
      last_(reported_.topology) {}

void topology_feed::start() {
    current_.source->start(publisher(0));
}

health::topology_source::publish_fn topology_feed::publisher(unsigned epoch) {
    return [this, epoch](const health::topology_update& update) {
        const std::lock_guard hold(lock_);
        deliver(epoch, update);
    };
}

void topology_feed::deliver(unsigned epoch, const health::topology_update& update) {
    if (epoch < delivering_) return;  // a replaced source's late round
    reported_ = update;
    if (epoch > delivering_) {
        // A new source's first round. Its nodes may differ: a drain of a node it lacks ends.
        std::erase_if(drained_, [&](const std::string& name) {
            return std::none_of(update.topology->nodes.begin(), update.topology->nodes.end(),
                                [&](const auto& node) { return node.address.name == name; });
        });
        delivering_ = epoch;
        taken_over_.notify_all();
    }
    deliver_with_drains(update);
}

void topology_feed::deliver_with_drains(health::topology_update update) {
    auto snapshot = std::make_shared<health::topology_snapshot>(
        health::with_drains(*update.topology, drained_));
    snapshot->generation = last_->generation + 1;
    // Not the source's own events: those miss the drains, and a new source's first round would
    // be told against its own empty start rather than against what the workers had.
    update.events = health::diff_topologies(*last_, *snapshot);
    update.topology = snapshot;
    last_ = std::move(snapshot);
    deliver_(update);
}

drain_change topology_feed::set_drained(std::string_view node, bool drained) {
    const std::lock_guard hold(lock_);
    const auto& nodes = reported_.topology->nodes;
    if (std::none_of(nodes.begin(), nodes.end(),
                     [&](const auto& known) { return known.address.name == node; })) {
        return drain_change::unknown_node;
    }
    const auto found = drained_.find(node);
    if (drained == (found != drained_.end())) return drain_change::already;
    if (drained) {
        drained_.emplace(node);
    } else {
        drained_.erase(found);
    }
    health::topology_update again = reported_;
    again.at = std::chrono::system_clock::now();
    deliver_with_drains(std::move(again));
    return drain_change::done;
}

bool topology_feed::replace(running_source next, std::chrono::milliseconds first_round_wait) {
    const unsigned epoch = ++started_;
    if (next.source->changes()) {
        next.source->start(publisher(epoch));
    } else {
        const std::lock_guard hold(lock_);
        deliver(epoch, {next.source->initial(), {}, {}, {}, {}, std::chrono::system_clock::now()});
    }
    bool taken_over = false;
    {
        std::unique_lock hold(lock_);
        taken_over =
            taken_over_.wait_for(hold, first_round_wait, [&] { return delivering_ >= epoch; });
    }
    current_.source->stop();
    current_.source.reset();  // before the generation it may point into
    current_ = std::move(next);
    return taken_over;
}

void topology_feed::stop() {
    if (current_.source) current_.source->stop();
}

}  // namespace pgroute::proxy
