#include "proxy/cancel/cancel_keys.h"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <vector>

namespace pgroute::proxy {
namespace {

const health::NodeAddress pg2{"pg2", "127.0.0.1", 5433};

TEST(CancelKeys, AnIssuedKeyFindsItsNodeAndTheNodesOwnKey) {
    cancel_keys keys;
    const auto lease = keys.issue({pg2, {4242, 0xfeedface}});
    const auto target = keys.find(lease.key());
    ASSERT_TRUE(target);
    EXPECT_EQ(target->node, pg2);
    EXPECT_EQ(target->key, (protocol::cancel_key{4242, 0xfeedface}));
}

TEST(CancelKeys, AKeyDiesWithItsLease) {
    cancel_keys keys;
    protocol::cancel_key issued;
    {
        const auto lease = keys.issue({pg2, {1, 2}});
        issued = lease.key();
        EXPECT_EQ(keys.size(), 1u);
    }
    EXPECT_EQ(keys.size(), 0u);
    EXPECT_FALSE(keys.find(issued));
}

TEST(CancelKeys, AMovedLeaseKeepsTheKeyRegisteredOnce) {
    cancel_keys keys;
    std::optional<cancel_keys::lease> kept;
    {
        auto lease = keys.issue({pg2, {1, 2}});
        kept.emplace(std::move(lease));
    }
    EXPECT_TRUE(keys.find(kept->key()));
    kept.reset();
    EXPECT_EQ(keys.size(), 0u);
}

TEST(CancelKeys, ForgedKeysAndTheNodesOwnKeyFindNothing) {
    cancel_keys keys;
    const auto lease = keys.issue({pg2, {4242, 0xfeedface}});
    EXPECT_FALSE(keys.find({4242, 0xfeedface})) << "the node's key is never handed out";
    EXPECT_FALSE(keys.find({lease.key().process_id, lease.key().secret ^ 1u}));
    EXPECT_FALSE(keys.find({lease.key().process_id ^ 1u, lease.key().secret}));
}

TEST(CancelKeys, KeysAreDistinctAndNotSequential) {
    cancel_keys keys;
    std::vector<cancel_keys::lease> leases;
    std::set<std::uint32_t> secrets;
    std::set<std::uint32_t> process_ids;
    for (std::uint32_t i = 0; i < 1000; ++i) {
        leases.push_back(keys.issue({pg2, {i, i}}));
        secrets.insert(leases.back().key().secret);
        process_ids.insert(leases.back().key().process_id);
    }
    EXPECT_EQ(keys.size(), 1000u);
    // 1000 random 32-bit values collide with probability ~1e-4; sequential ones never would
    // spread over the whole range.
    EXPECT_GE(secrets.size(), 999u);
    EXPECT_GE(process_ids.size(), 999u);
    EXPECT_GT(*secrets.rbegin() - *secrets.begin(), 1u << 30);
}

TEST(CancelKeySwap, RewritesTheBackendKeyDataAndRegistersTheNodesKey) {
    cancel_keys keys;
    cancel_key_swap swap(keys, pg2);
    std::array<char, 8> body{};
    protocol::write_backend_key_data({777, 0x12345678}, body);
    swap.replace(body);
    const auto handed_out = protocol::read_backend_key_data(std::string_view(body.data(), 8));
    ASSERT_TRUE(handed_out);
    EXPECT_NE(*handed_out, (protocol::cancel_key{777, 0x12345678}));
    const auto target = keys.find(*handed_out);
    ASSERT_TRUE(target);
    EXPECT_EQ(target->key, (protocol::cancel_key{777, 0x12345678}));
    EXPECT_EQ(target->node, pg2);
}

TEST(CancelKeySwap, LeavesABodyOfAnotherSizeAloneAndRegistersNothing) {
    cancel_keys keys;
    cancel_key_swap swap(keys, pg2);
    std::array<char, 12> body{};
    body.fill('\x07');
    swap.replace(body);
    EXPECT_EQ(keys.size(), 0u);
    for (const char c : body)
        EXPECT_EQ(c, '\x07');
}

TEST(CancelKeySwap, TheKeyIsForgottenWhenTheSessionEnds) {
    cancel_keys keys;
    {
        cancel_key_swap swap(keys, pg2);
        std::array<char, 8> body{};
        swap.replace(body);
        EXPECT_EQ(keys.size(), 1u);
    }
    EXPECT_EQ(keys.size(), 0u);
}

}  // namespace
}  // namespace pgroute::proxy
