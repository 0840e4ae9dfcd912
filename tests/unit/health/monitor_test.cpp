#include "health/patroni/monitor.h"

#include <gtest/gtest.h>

#include "fake_http_server.h"
#include "patroni_answers.h"

namespace pgroute::health {
namespace {

using namespace std::chrono_literals;
using testing::fake_http_server;

std::string cluster_answer(
    const std::vector<std::pair<std::string, const fake_http_server*>>& members) {
    std::string json = R"({"members": [)";
    for (const auto& [name, server] : members) {
        if (json.back() != '[') json += ", ";
        json += R"({"name": ")" + name +
                R"(", "role": "replica", "state": "running", "api_url": ")" + server->url() +
                R"(/patroni", "host": "127.0.0.1", "port": 5432, "timeline": 1})";
    }
    return json + R"(], "scope": "demo"})";
}

cluster_member seed(std::string name, std::string api_url) {
    return cluster_member{.address = {.name = std::move(name), .host = "127.0.0.1", .port = 5432},
                          .api_url = std::move(api_url)};
}

class monitor_test : public ::testing::Test {
  protected:
    void start(std::vector<cluster_member> seeds, std::chrono::milliseconds timeout = 200ms,
               std::chrono::milliseconds interval = 20ms,
               std::chrono::milliseconds fast_interval = 20ms) {
        monitor_config config{
            .seeds = std::move(seeds),
            .timing = {.interval = interval, .fast_interval = fast_interval, .timeout = timeout}};
        monitor_.emplace(
            io_.get_executor(), config,
            [this](const topology_ptr& topology, const std::vector<topology_event>& events) {
                snapshots_.push_back(topology);
                events_.insert(events_.end(), events.begin(), events.end());
            },
            [this](std::string_view line) { log_.emplace_back(line); });
        monitor_->start([this] { stopped_ = true; });
    }

    // Runs until `count` snapshots have been published in total.
    void run_until_published(std::size_t count) {
        ASSERT_TRUE(testing::run_until(io_, [&] { return snapshots_.size() >= count; }))
            << "only " << snapshots_.size() << " snapshots";
    }

    void stop() {
        monitor_->stop();
        ASSERT_TRUE(testing::run_until(
            io_, [&] { return stopped_; }, 1s));
        EXPECT_FALSE(monitor_->running());
    }

    std::uint64_t count(const std::string& node, poll_outcome outcome) const {
        const auto& counts = monitor_->status_poll_counts();
        const auto it = counts.find(node);
        return it == counts.end() ? 0 : it->second[static_cast<std::size_t>(outcome)];
    }

    bool logged(std::string_view text) const {
        for (const std::string& line : log_) {
            if (line.find(text) != std::string::npos) return true;
        }
        return false;
    }

    asio::io_context io_;
    std::optional<patroni_monitor> monitor_;
    std::vector<topology_ptr> snapshots_;
    std::vector<topology_event> events_;
    std::vector<std::string> log_;
    bool stopped_ = false;
};

const node_view& node(const topology_snapshot& topology, std::string_view name) {
    for (const node_view& view : topology.nodes) {
        if (view.address.name == name) return view;
    }
    throw std::out_of_range(std::string(name));
}

TEST_F(monitor_test, PublishesTheTopologyAndCountsEveryKindOfPollOutcome) {
    fake_http_server pg1(io_), pg2(io_), silent(io_), failing(io_), garbage(io_), not_json(io_),
        wrong_types(io_);
    pg1.answer("/patroni", 200, testing::leader_answer(50331968));
    pg1.answer("/cluster", 200, cluster_answer({{"pg1", &pg1}, {"pg2", &pg2}}));
    pg2.answer("/patroni", 200, testing::replica_answer(50331968));
    silent.stay_silent();
    failing.answer("/patroni", 500, "{}");
    garbage.answer_raw("/patroni", "\x16\x03\x01 not http at all\r\n\r\n");
    not_json.answer("/patroni", 200, "<html>hello</html>");
    wrong_types.answer("/patroni", 200, R"({"role": 1, "state": "running"})");
    const std::string closed = "http://127.0.0.1:" + std::to_string(testing::closed_port(io_));

    start({seed("pg1", pg1.url()), seed("pg2", pg2.url()), seed("silent", silent.url()),
           seed("closed", closed), seed("failing", failing.url()), seed("garbage", garbage.url()),
           seed("not_json", not_json.url()), seed("wrong_types", wrong_types.url())});
    run_until_published(2);
    stop();

    const topology_snapshot& topology = *snapshots_.back();
    EXPECT_EQ(monitor_->current(), snapshots_.back());
    ASSERT_TRUE(topology.leader());
    EXPECT_EQ(topology.leader()->address.name, "pg1");
    ASSERT_EQ(topology.readable.size(), 1u);
    EXPECT_EQ(topology.nodes[topology.readable[0]].address.name, "pg2");
    EXPECT_EQ(node(topology, "pg2").lag_bytes, 0u);
    EXPECT_EQ(node(topology, "silent").not_readable_reason, "timeout (2 polls)");
    EXPECT_EQ(node(topology, "closed").not_readable_reason, "unreachable (2 polls)");
    EXPECT_EQ(node(topology, "failing").not_readable_reason, "http_error (2 polls)");

    const std::uint64_t rounds = snapshots_.size();
    EXPECT_EQ(count("pg1", poll_outcome::ok), rounds);
    EXPECT_EQ(count("pg2", poll_outcome::ok), rounds);
    EXPECT_EQ(count("silent", poll_outcome::timeout), rounds);
    EXPECT_EQ(count("closed", poll_outcome::unreachable), rounds);
    EXPECT_EQ(count("failing", poll_outcome::http_error), rounds);
    EXPECT_EQ(count("garbage", poll_outcome::http_error), rounds);
    EXPECT_EQ(count("not_json", poll_outcome::malformed_json), rounds);
    EXPECT_EQ(count("wrong_types", poll_outcome::unexpected_fields), rounds);
    EXPECT_EQ(count("pg1", poll_outcome::timeout), 0u);

    // Every poll is timed; a silent node's polls last as long as the 200 ms timeout.
    const auto& durations = monitor_->status_poll_durations();
    const auto polls_timed = [&](const std::string& name) {
        std::uint64_t total = 0;
        for (const auto n : durations.at(name).buckets)
            total += n;
        return total;
    };
    EXPECT_EQ(polls_timed("pg1"), rounds);
    EXPECT_EQ(polls_timed("silent"), rounds);
    EXPECT_GE(durations.at("silent").sum_seconds, 0.19 * static_cast<double>(rounds));
    EXPECT_LT(durations.at("pg1").sum_seconds, durations.at("silent").sum_seconds);
    EXPECT_EQ(monitor_->cluster_poll_counts()[static_cast<std::size_t>(poll_outcome::ok)], rounds);
    EXPECT_EQ(pg1.requests("/cluster"), static_cast<int>(rounds)) << "asked of the leader only";
    EXPECT_EQ(pg2.requests("/cluster"), 0);

    EXPECT_TRUE(logged("silent: GET /patroni timeout: no complete answer within 200 ms"));
    EXPECT_TRUE(logged("wrong_types: GET /patroni unexpected_fields: role is number"));
    ASSERT_FALSE(events_.empty());
    EXPECT_EQ(describe(events_.front()), "write target none -> pg1: pg1 is the running leader");
}

TEST_F(monitor_test, WithoutALeaderItPollsAtTheFastIntervalAndWithOneAtTheUsualInterval) {
    fake_http_server pg1(io_);
    pg1.answer("/patroni", 200, testing::replica_answer(50331968));
    start({seed("pg1", pg1.url())}, 200ms, 60s, 20ms);
    run_until_published(3);  // within run_until's 5 s only at the fast interval
    EXPECT_FALSE(snapshots_.back()->leader());

    pg1.answer("/patroni", 200, testing::leader_answer(50331968));
    const std::size_t before = snapshots_.size();
    run_until_published(before + 1);
    ASSERT_TRUE(snapshots_.back()->leader());
    const std::size_t with_leader = snapshots_.size();
    EXPECT_FALSE(testing::run_until(
        io_, [&] { return snapshots_.size() > with_leader; }, 300ms))
        << "a round followed the one that found the leader within 300 ms, not 60 s";
    stop();
}

TEST_F(monitor_test, GenerationsGrowByOneAcrossPublishedSnapshots) {
    fake_http_server pg1(io_);
    pg1.answer("/patroni", 200, testing::leader_answer(1));
    start({seed("pg1", pg1.url())});
    run_until_published(3);
    stop();
    for (std::size_t i = 0; i < snapshots_.size(); ++i) {
        EXPECT_EQ(snapshots_[i]->generation, i + 1);
    }
}

TEST_F(monitor_test, MembersListedByClusterJoinAndLeave) {
    fake_http_server pg1(io_), pg2(io_), pg3(io_);
    pg1.answer("/patroni", 200, testing::leader_answer(100));
    pg1.answer("/cluster", 200, cluster_answer({{"pg1", &pg1}, {"pg2", &pg2}, {"pg3", &pg3}}));
    pg2.answer("/patroni", 200, testing::replica_answer(100));
    pg3.answer("/patroni", 200, testing::replica_answer(100));
    start({seed("pg1", pg1.url()), seed("pg2", pg2.url())});

    run_until_published(2);
    const topology_snapshot& joined = *snapshots_.back();
    ASSERT_EQ(joined.nodes.size(), 3u);
    EXPECT_EQ(joined.nodes[2].address.name, "pg3");
    EXPECT_TRUE(joined.nodes[2].readable);
    EXPECT_EQ(monitor_->members().size(), 3u);
    EXPECT_EQ(monitor_->members()[2].api_url, pg3.url());
    EXPECT_TRUE(logged("member pg3 joined"));

    pg1.answer("/cluster", 200, cluster_answer({{"pg1", &pg1}}));
    const std::size_t before = snapshots_.size();
    run_until_published(before + 1);
    stop();
    const topology_snapshot& left = *snapshots_.back();
    ASSERT_EQ(left.nodes.size(), 2u) << "pg3 left, the seed pg2 stays";
    EXPECT_EQ(left.nodes[1].address.name, "pg2");
    EXPECT_TRUE(logged("member pg3 left"));
    ASSERT_FALSE(events_.empty());
    EXPECT_EQ(describe(events_.back()), "pg3 left the read pool: no longer a cluster member");
}

TEST_F(monitor_test, AFailingClusterAnswerKeepsTheMembership) {
    fake_http_server pg1(io_);
    pg1.answer("/patroni", 200, testing::leader_answer(100));
    pg1.answer("/cluster", 200, "{\"members\": 1}");
    start({seed("pg1", pg1.url())});
    run_until_published(2);
    stop();
    EXPECT_EQ(monitor_->members().size(), 1u);
    EXPECT_EQ(
        monitor_->cluster_poll_counts()[static_cast<std::size_t>(poll_outcome::unexpected_fields)],
        snapshots_.size());
    EXPECT_TRUE(logged("pg1: GET /cluster unexpected_fields: members is number"));
}

TEST_F(monitor_test, StopCancelsRequestsInFlightAtOnce) {
    fake_http_server silent(io_);
    silent.stay_silent();
    start({seed("silent", silent.url())}, 5s);
    ASSERT_TRUE(testing::run_until(io_, [&] { return silent.requests("/patroni") == 1; }));
    const auto start_of_stop = std::chrono::steady_clock::now();
    stop();
    EXPECT_LT(std::chrono::steady_clock::now() - start_of_stop, 500ms);
    EXPECT_TRUE(snapshots_.empty()) << "a round cut short publishes nothing";
}

TEST_F(monitor_test, AfterStopNothingOfTheMonitorIsLeftOnTheIoContext) {
    const std::string closed = "http://127.0.0.1:" + std::to_string(testing::closed_port(io_));
    start({seed("pg1", closed)});
    run_until_published(1);
    monitor_->stop();
    io_.restart();
    const auto start_of_run = std::chrono::steady_clock::now();
    io_.run_for(2s);
    EXPECT_TRUE(io_.stopped()) << "run_for returns early only when no work is left";
    EXPECT_LT(std::chrono::steady_clock::now() - start_of_run, 1s);
    EXPECT_TRUE(stopped_);
}

}  // namespace
}  // namespace pgroute::health
