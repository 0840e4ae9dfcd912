#include "proxy/app/topology_feed.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "health/topology/static_source.h"
#include "topology_builder.h"

namespace pgroute::proxy {
namespace {

using health::node_role;
using namespace std::chrono_literals;
using testing::make_topology;

health::topology_ptr shared(const health::topology_snapshot& t) {
    return std::make_shared<const health::topology_snapshot>(t);
}

// A polling source whose rounds the test ends, from its own thread, when it says so.
class scripted_source final : public health::topology_source {
  public:
    // `stopped` is set by stop(), and outlives the source.
    explicit scripted_source(
        health::topology_ptr initial,
        std::shared_ptr<std::atomic<bool>> stopped = std::make_shared<std::atomic<bool>>(false))
        : initial_(std::move(initial)), stopped_(std::move(stopped)) {}

    [[nodiscard]] std::string_view mode() const override { return "patroni"; }
    [[nodiscard]] bool changes() const override { return true; }
    [[nodiscard]] health::topology_ptr initial() const override { return initial_; }
    void start(publish_fn publish) override {
        const std::lock_guard hold(lock_);
        publish_ = std::move(publish);
        started_.set_value();
    }
    void stop() override {
        const std::lock_guard hold(lock_);
        publish_ = nullptr;
        *stopped_ = true;
    }

    // Ends a round with `topology`, unless the source was stopped.
    void round(const health::topology_snapshot& topology) {
        const std::lock_guard hold(lock_);
        if (publish_) publish_({shared(topology), {}, {}, {}, {}, {}});
    }
    void wait_started() { started_future_.wait(); }
    [[nodiscard]] publish_fn publisher() {
        const std::lock_guard hold(lock_);
        return publish_;
    }

  private:
    health::topology_ptr initial_;
    std::mutex lock_;
    publish_fn publish_;
    std::shared_ptr<std::atomic<bool>> stopped_;
    std::promise<void> started_;
    std::future<void> started_future_ = started_.get_future();
};

struct delivered_rounds {
    std::mutex lock;
    std::vector<health::topology_update> rounds;

    topology_feed::deliver_fn sink() {
        return [this](const health::topology_update& update) {
            const std::lock_guard hold(lock);
            rounds.push_back(update);
        };
    }
    std::vector<health::topology_update> taken() {
        const std::lock_guard hold(lock);
        return rounds;
    }
};

const auto pg1_leads =
    make_topology({{"pg1", node_role::leader}, {"pg2", node_role::replica, true}});
const auto pg2_leads =
    make_topology({{"pg1", node_role::replica, true}, {"pg2", node_role::leader}});

// A feed started on a scripted source (pg1 leading), whose rounds `out` collects.
struct started_feed {
    started_feed() {
        auto first = std::make_unique<scripted_source>(shared(pg1_leads), old_stopped);
        old_source = first.get();
        feed =
            std::make_unique<topology_feed>(running_source{std::move(first), nullptr}, out.sink());
        feed->start();
    }
    ~started_feed() { feed->stop(); }
    started_feed(const started_feed&) = delete;
    started_feed& operator=(const started_feed&) = delete;

    // Replaces the source by a new scripted one on another thread (replace() waits for its first
    // round), and returns once the new one has started.
    std::future<bool> replacing() {
        auto next = std::make_unique<scripted_source>(shared({}));
        new_source = next.get();
        auto replaced = std::async(std::launch::async, [this, next = std::move(next)]() mutable {
            return feed->replace({std::move(next), nullptr}, 10s);
        });
        new_source->wait_started();
        return replaced;
    }

    delivered_rounds out;
    std::shared_ptr<std::atomic<bool>> old_stopped = std::make_shared<std::atomic<bool>>(false);
    scripted_source* old_source = nullptr;  // destroyed by replace()
    scripted_source* new_source = nullptr;
    std::unique_ptr<topology_feed> feed;
};

TEST(topology_feed, ANewSourcesFirstRoundTakesOverAndTheOldOneIsStoppedAndIgnored) {
    started_feed f;
    f.old_source->round(pg1_leads);
    auto replaced = f.replacing();
    f.old_source->round(pg1_leads);  // still the one delivered until the new one's first round
    f.new_source->round(pg2_leads);
    ASSERT_TRUE(replaced.get());
    EXPECT_TRUE(*f.old_stopped);

    const auto rounds = f.out.taken();
    ASSERT_EQ(rounds.size(), 3u);
    EXPECT_EQ(rounds[2].topology->leader()->address.name, "pg2");
    // Told against what the workers had (pg1 leading), not the new source's empty start.
    ASSERT_FALSE(rounds[2].events.empty());
    EXPECT_EQ(rounds[2].events[0].kind, health::topology_event_kind::write_target_changed);
    EXPECT_EQ(rounds[2].events[0].previous_write_target, "pg1");
}

TEST(topology_feed, AReplacedSourcesLateRoundIsNotDelivered) {
    started_feed f;
    // A round already on its way when the old source was stopped: its publisher, kept here,
    // outlives the source.
    const auto late = f.old_source->publisher();
    auto replaced = f.replacing();
    f.new_source->round(pg2_leads);
    ASSERT_TRUE(replaced.get());
    late({shared(pg1_leads), {}, {}, {}, {}, {}});
    f.new_source->round(pg2_leads);

    const auto rounds = f.out.taken();
    ASSERT_EQ(rounds.size(), 2u);
    EXPECT_EQ(rounds[1].topology->leader()->address.name, "pg2");
    EXPECT_TRUE(rounds[1].events.empty());
}

TEST(topology_feed, AStaticReplacementIsDeliveredAtOnce) {
    started_feed f;
    std::vector<health::static_node> nodes{{{"pg3", "127.0.0.1", 5440}, node_role::leader}};
    EXPECT_TRUE(f.feed->replace({std::make_unique<health::static_source>(nodes), nullptr}, 0ms));
    const auto rounds = f.out.taken();
    ASSERT_EQ(rounds.size(), 1u);
    ASSERT_NE(rounds[0].topology->leader(), nullptr);
    EXPECT_EQ(rounds[0].topology->leader()->address.name, "pg3");
}

TEST(topology_feed, WithoutAFirstRoundInTimeTheOldSnapshotStandsUntilItComes) {
    started_feed f;
    auto next = std::make_unique<scripted_source>(shared({}));
    auto* new_source = next.get();
    EXPECT_FALSE(f.feed->replace({std::move(next), nullptr}, 20ms));
    EXPECT_TRUE(f.out.taken().empty());
    new_source->round(pg2_leads);
    const auto rounds = f.out.taken();
    ASSERT_EQ(rounds.size(), 1u);
    ASSERT_FALSE(rounds[0].events.empty());
    EXPECT_EQ(rounds[0].events[0].previous_write_target, "pg1");
}

TEST(topology_feed, ADrainIsDeliveredAtOnceWithItsEventAndStandsInTheRoundsThatFollow) {
    started_feed f;
    f.old_source->round(pg1_leads);
    EXPECT_EQ(f.feed->set_drained("pg2", true), drain_change::done);
    EXPECT_EQ(f.feed->set_drained("pg2", true), drain_change::already);
    f.old_source->round(pg1_leads);
    EXPECT_EQ(f.feed->set_drained("pg2", false), drain_change::done);
    EXPECT_EQ(f.feed->set_drained("pg2", false), drain_change::already);
    EXPECT_EQ(f.feed->set_drained("pg9", true), drain_change::unknown_node);

    const auto rounds = f.out.taken();
    ASSERT_EQ(rounds.size(), 4u);
    EXPECT_TRUE(rounds[1].topology->nodes[1].drained);
    EXPECT_TRUE(rounds[1].topology->readable.empty());
    ASSERT_EQ(rounds[1].events.size(), 1u);
    EXPECT_EQ(rounds[1].events[0].kind, health::topology_event_kind::left_read_pool);
    EXPECT_EQ(rounds[1].events[0].reason, "drained by an operator");
    EXPECT_TRUE(rounds[2].topology->nodes[1].drained);  // the source's next round
    EXPECT_TRUE(rounds[2].events.empty());
    EXPECT_FALSE(rounds[3].topology->nodes[1].drained);
    ASSERT_EQ(rounds[3].events.size(), 1u);
    EXPECT_EQ(rounds[3].events[0].kind, health::topology_event_kind::joined_read_pool);
    // Numbered by the feed, one more each time, whatever the source numbers.
    for (std::size_t i = 1; i < rounds.size(); ++i)
        EXPECT_EQ(rounds[i].topology->generation, rounds[i - 1].topology->generation + 1);
}

TEST(topology_feed, ADrainEndsWithANewSourceThatLacksTheNode) {
    started_feed f;
    EXPECT_EQ(f.feed->set_drained("pg1", true), drain_change::done);
    auto replaced = f.replacing();
    const auto pg3_alone = make_topology({{"pg3", node_role::leader}});
    f.new_source->round(pg3_alone);
    ASSERT_TRUE(replaced.get());
    EXPECT_EQ(f.feed->set_drained("pg1", false), drain_change::unknown_node);
    f.new_source->round(make_topology({{"pg1", node_role::leader}}));
    const auto rounds = f.out.taken();
    EXPECT_FALSE(rounds.back().topology->nodes[0].drained);
    EXPECT_NE(rounds.back().topology->leader(), nullptr);
}

}  // namespace
}  // namespace pgroute::proxy
