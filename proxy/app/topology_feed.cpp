#include "proxy/app/topology_feed.h"

namespace pgroute::proxy {

topology_feed::topology_feed(running_source first, deliver_fn deliver)
    : deliver_(std::move(deliver)), current_(std::move(first)), last_(current_.source->initial()) {}

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
    if (epoch == delivering_) {
        last_ = update.topology;
        deliver_(update);
        return;
    }
    // A new source's first round: what changed is told against what the workers had, not
    // against the new source's own empty start.
    health::topology_update first = update;
    first.events = health::diff_topologies(*last_, *update.topology);
    delivering_ = epoch;
    last_ = update.topology;
    deliver_(first);
    taken_over_.notify_all();
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
