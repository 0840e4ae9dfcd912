#include "proxy/cancel/cancel_keys.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "protocol/byte_reader.h"
#include "protocol/message_type.h"

namespace pgroute::proxy {
namespace {

const health::node_address pg2{"pg2", "127.0.0.1", 5433};
constexpr std::uint32_t v3_0 = protocol::protocol_version(3, 0);
constexpr std::uint32_t v3_2 = protocol::protocol_version(3, 2);

const protocol::cancel_key node_key{4242, "\xfe\xed\xfa\xce"};

// A BackendKeyData body holding `key`.
std::string body_of(const protocol::cancel_key& key) {
    std::string body(4 + key.secret.size(), '\0');
    EXPECT_TRUE(protocol::write_backend_key_data(key, body));
    return body;
}

TEST(cancel_keys, AnIssuedKeyFindsItsNodeAndTheNodesOwnKey) {
    cancel_keys keys;
    const auto lease = keys.issue({pg2, node_key}, 4);
    const auto target = keys.find(lease.key());
    ASSERT_TRUE(target);
    EXPECT_EQ(target->node, pg2);
    EXPECT_EQ(target->key, node_key);
}

TEST(cancel_keys, AnIssuedSecretHasTheLengthAskedFor) {
    cancel_keys keys;
    for (const std::size_t length : {4u, 32u, 256u}) {
        const auto lease = keys.issue({pg2, node_key}, length);
        EXPECT_EQ(lease.key().secret.size(), length);
        EXPECT_TRUE(keys.find(lease.key()));
    }
}

TEST(cancel_keys, AKeyDiesWithItsLease) {
    cancel_keys keys;
    protocol::cancel_key issued;
    {
        const auto lease = keys.issue({pg2, node_key}, 32);
        issued = lease.key();
        EXPECT_EQ(keys.size(), 1u);
    }
    EXPECT_EQ(keys.size(), 0u);
    EXPECT_FALSE(keys.find(issued));
}

TEST(cancel_keys, AMovedLeaseKeepsTheKeyRegisteredOnce) {
    cancel_keys keys;
    std::optional<cancel_keys::lease> kept;
    {
        auto lease = keys.issue({pg2, node_key}, 32);
        kept.emplace(std::move(lease));
    }
    EXPECT_TRUE(keys.find(kept->key()));
    kept.reset();
    EXPECT_EQ(keys.size(), 0u);
}

TEST(cancel_keys, ForgedKeysAndTheNodesOwnKeyFindNothing) {
    cancel_keys keys;
    const auto lease = keys.issue({pg2, node_key}, 32);
    EXPECT_FALSE(keys.find(node_key)) << "the node's key is never handed out";
    auto forged = lease.key();
    forged.secret.back() = static_cast<char>(forged.secret.back() ^ 1);
    EXPECT_FALSE(keys.find(forged));
    forged = lease.key();
    forged.process_id ^= 1u;
    EXPECT_FALSE(keys.find(forged));
    forged = lease.key();
    forged.secret.pop_back();  // a prefix of the secret is another key
    EXPECT_FALSE(keys.find(forged));
}

TEST(cancel_keys, KeysAreDistinctAndNotSequential) {
    cancel_keys keys;
    std::vector<cancel_keys::lease> leases;
    std::set<std::uint32_t> secrets;
    std::set<std::uint32_t> process_ids;
    for (std::uint32_t i = 0; i < 1000; ++i) {
        leases.push_back(keys.issue({pg2, node_key}, 4));
        secrets.insert(protocol::load_u32(leases.back().key().secret.data()));
        process_ids.insert(leases.back().key().process_id);
    }
    EXPECT_EQ(keys.size(), 1000u);
    // 1000 random 32-bit values collide with probability ~1e-4; sequential ones never would
    // spread over the whole range.
    EXPECT_GE(secrets.size(), 999u);
    EXPECT_GE(process_ids.size(), 999u);
    EXPECT_GT(*secrets.rbegin() - *secrets.begin(), 1u << 30);
}

// Peering: the instance's id in the top byte of every process id, the other 24 bits random.
TEST(cancel_keys, WithAPeeringIdEveryKeyNamesItsInstance) {
    cancel_keys keys(7);
    std::vector<cancel_keys::lease> leases;
    std::set<std::uint32_t> low_bits;
    for (int i = 0; i < 200; ++i) {
        leases.push_back(keys.issue({pg2, node_key}, 4));
        EXPECT_EQ(cancel_keys::instance_of(leases.back().key()), 7u);
        low_bits.insert(leases.back().key().process_id & 0xffffffu);
    }
    EXPECT_GE(low_bits.size(), 199u);
    EXPECT_TRUE(keys.find(leases.front().key()));
}

TEST(cancel_key_swap, RewritesAProtocol30BackendKeyDataAndRegistersTheNodesKey) {
    cancel_keys keys;
    cancel_key_swap swap(keys, pg2);
    std::string body = body_of(node_key);
    ASSERT_TRUE(swap.replace(body, v3_0));
    const auto handed_out = protocol::read_backend_key_data(body);
    ASSERT_TRUE(handed_out);
    EXPECT_NE(*handed_out, node_key);
    const auto target = keys.find(*handed_out);
    ASSERT_TRUE(target);
    EXPECT_EQ(target->key, node_key);
    EXPECT_EQ(target->node, pg2);
}

TEST(cancel_key_swap, RewritesAProtocol32KeyOfEveryLengthWithOneAsLong) {
    for (const std::size_t length : {4u, 32u, 256u}) {
        cancel_keys keys;
        cancel_key_swap swap(keys, pg2);
        const protocol::cancel_key node_32{99, std::string(length, '\x42')};
        std::string body = body_of(node_32);
        ASSERT_TRUE(swap.replace(body, v3_2)) << length;
        const auto handed_out = protocol::read_backend_key_data(body);
        ASSERT_TRUE(handed_out);
        EXPECT_EQ(handed_out->secret.size(), length);
        EXPECT_NE(handed_out->secret, node_32.secret) << "the client sees the node's secret";
        const auto target = keys.find(*handed_out);
        ASSERT_TRUE(target);
        EXPECT_EQ(target->key, node_32);
    }
}

TEST(cancel_key_swap, RefusesAKeyTheProtocolVersionDoesNotAllowAndTouchesNothing) {
    struct refused {
        std::string body;
        std::uint32_t version;
    };
    const std::vector<refused> cases{
        {body_of({1, std::string(32, '\x07')}), v3_0},  // 3.2's length under 3.0
        {std::string(4 + 257, '\x07'), v3_2},           // longer than 256
        {std::string(4 + 3, '\x07'), v3_2},             // shorter than 4
        {std::string(4, '\x07'), v3_2},                 // no secret at all
        {std::string(3, '\x07'), v3_2},                 // truncated inside the process id
    };
    for (const auto& [original, version] : cases) {
        cancel_keys keys;
        cancel_key_swap swap(keys, pg2);
        std::string body = original;
        EXPECT_FALSE(swap.replace(body, version)) << body.size() << " bytes";
        EXPECT_EQ(body, original);
        EXPECT_EQ(keys.size(), 0u);
    }
}

TEST(cancel_key_swap, TheKeyIsForgottenWhenTheSessionEnds) {
    cancel_keys keys;
    {
        cancel_key_swap swap(keys, pg2);
        std::string body = body_of(node_key);
        ASSERT_TRUE(swap.replace(body, v3_0));
        EXPECT_EQ(keys.size(), 1u);
    }
    EXPECT_EQ(keys.size(), 0u);
}

}  // namespace
}  // namespace pgroute::proxy
