#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "admin_sources_fixture.h"
#include "proxy/admin/history_sampler.h"

namespace pgroute::proxy {
namespace {

using namespace std::chrono_literals;
using health::node_role;
using testing::admin_fixture;
using testing::make_topology;

TEST(history_sampler, SamplesAtOnceThenEveryIntervalUntilStopped) {
    admin_fixture f(make_topology({{"pg1", node_role::leader}}));
    f.worker_a.route(0, "pg1").queries.add(3);
    asio::io_context io;
    history_sampler sampler(io, f.sources, f.history, 20ms);
    sampler.start();
    asio::steady_timer stop_at(io, 110ms);
    stop_at.async_wait([&](std::error_code) { sampler.stop(); });
    io.run();  // returns once the sampler stopped: it leaves no work behind
    const auto& samples = f.history.samples();
    ASSERT_GE(samples.size(), 4u);
    EXPECT_LE(samples.size(), 7u);
    EXPECT_EQ(samples[0].endpoints[0].queries, 3u);
    EXPECT_EQ(samples[0].leader, "pg1");
    for (std::size_t i = 1; i < samples.size(); ++i)
        EXPECT_GE(samples[i].at, samples[i - 1].at);
}

}  // namespace
}  // namespace pgroute::proxy
