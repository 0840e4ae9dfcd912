// lookup_host on names this machine answers for itself; a lookup that hangs is
// tests/integration/proxy_resolver_test's.
#include "health/resolve/host_lookup.h"

#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>

namespace pgroute::health {
namespace {

using namespace std::chrono_literals;

TEST(host_lookup, ip_literal_is_its_own_address) {
    asio::io_context io;
    auto found = asio::co_spawn(
        io, lookup_host("127.0.0.7", 5432, std::chrono::steady_clock::now()), asio::use_future);
    io.run();
    const host_lookup_result result = found.get();
    ASSERT_FALSE(result.error) << result.error.message();
    ASSERT_EQ(result.endpoints.size(), 1U);
    EXPECT_EQ(result.endpoints[0],
              asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.7"), 5432));
}

// Both waiters of one name in flight get the answer, with the port they asked for.
TEST(host_lookup, concurrent_lookups_of_one_name_all_get_its_addresses) {
    asio::io_context io;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    auto first = asio::co_spawn(io, lookup_host("localhost", 5432, deadline), asio::use_future);
    auto second = asio::co_spawn(io, lookup_host("localhost", 5432, deadline), asio::use_future);
    io.run();
    for (auto* found : {&first, &second}) {
        const host_lookup_result result = found->get();
        ASSERT_FALSE(result.error) << result.error.message();
        ASSERT_FALSE(result.endpoints.empty());
        EXPECT_TRUE(result.endpoints[0].address().is_loopback());
        EXPECT_EQ(result.endpoints[0].port(), 5432);
    }
}

}  // namespace
}  // namespace pgroute::health
