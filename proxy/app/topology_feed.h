// The topology the workers route by: the rounds of one source, with the nodes an operator drained
// laid over them, handed to whatever the process delivers them to (the workers, the health
// board, the log). A reload that changes the nodes or the Patroni settings replaces the source
// without a gap: the old source's last snapshot stands until the new one's first round, and no
// round of the old one follows that. What changed is told against what was delivered last,
// drains included, and the delivered snapshots are numbered across sources.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "health/topology/topology_source.h"
#include "proxy/session/generation.h"

namespace pgroute::proxy {

// A source and the generation it was made from (its Patroni API TLS context lives there).
struct running_source {
    running_source(std::unique_ptr<health::topology_source> from,
                   std::shared_ptr<const generation> generation_made_with)
        : made_with(std::move(generation_made_with)), source(std::move(from)) {}

    // Declared first, so destroyed after the source, which may point into it.
    std::shared_ptr<const generation> made_with;
    std::unique_ptr<health::topology_source> source;
};

enum class drain_change { done, already, unknown_node };

class topology_feed {
  public:
    // Called on a source's thread, never for two rounds at once.
    using deliver_fn = std::function<void(const health::topology_update&)>;

    // `first`'s initial() is what the workers route by before its first round.
    topology_feed(running_source first, deliver_fn deliver);
    topology_feed(const topology_feed&) = delete;
    topology_feed& operator=(const topology_feed&) = delete;
    ~topology_feed() { stop(); }

    void start();
    // Starts `next` and waits up to `first_round_wait` for its first round (a static source's
    // is its initial snapshot, delivered at once), then stops the source it replaces. Returns
    // whether that round came in time; if not, the old source's last snapshot stands until it
    // comes. Not to be called concurrently with itself or stop().
    bool replace(running_source next, std::chrono::milliseconds first_round_wait);
    // Once it returns nothing more is delivered.
    void stop();

    // Takes `node` out of routing (`drained`) or puts it back, and delivers the last round again
    // with that applied. Thread-safe. A drain stands across reloads while the node is configured.
    drain_change set_drained(std::string_view node, bool drained);

  private:
    [[nodiscard]] health::topology_source::publish_fn publisher(unsigned epoch);
    // Under lock_, both.
    void deliver(unsigned epoch, const health::topology_update& update);
    void deliver_with_drains(health::topology_update update);

    deliver_fn deliver_;
    running_source current_;
    std::mutex lock_;
    std::condition_variable taken_over_;
    unsigned started_ = 0;              // sources started so far, the first being 0
    unsigned delivering_ = 0;           // the source whose rounds are delivered
    health::topology_update reported_;  // the last round, as its source reported it
    health::topology_ptr last_;         // what was delivered last
    std::set<std::string, std::less<>> drained_;
};

}  // namespace pgroute::proxy
