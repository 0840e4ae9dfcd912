#include "proxy/auth/scram_login.h"

#include <gtest/gtest.h>

#include "proxy/auth/scram_attributes.h"
#include "proxy/auth/scram_server.h"
#include "tests/unit/auth/scram_fixture.h"

namespace pgroute::proxy::auth {
namespace {

namespace pg = postgres_answers;
using namespace testing;

TEST(scram_login, SendsWhatLibpqSentAndAcceptsPostgresProof) {
    // With libpq's nonce, pgroute's messages are libpq's to the byte: same empty user name, same
    // proof from the ClientKey alone.
    const scram_login login(postgres_credentials());
    EXPECT_EQ(login.mechanism(), "SCRAM-SHA-256");
    EXPECT_EQ(login.client_first(), pg::libpq_login.client_first);
    const auto proof = login.answer(pg::libpq_login.server_first);
    ASSERT_TRUE(proof) << proof.error().message;
    EXPECT_EQ(proof->client_final(), pg::libpq_login.client_final);
    EXPECT_FALSE(proof->check_server_final(pg::libpq_login.server_final));
}

TEST(scram_login, LogsIntoRfc7677sServer) {
    const auto keys = rfc7677_keys();
    const scram_login login(
        {"user", keys.client_key, keys.secret, {}, std::string(rfc7677.client_nonce)});
    const auto challenge = scram_challenge::accept(
        login.client_first(),
        {"user", {keys.secret, false}, {}, std::string(rfc7677.server_nonce)});
    ASSERT_TRUE(challenge);
    EXPECT_EQ(challenge->server_first(), rfc7677.server_first);
    const auto proof = login.answer(rfc7677.server_first);
    ASSERT_TRUE(proof);
    const auto verified = challenge->verify(proof->client_final());
    ASSERT_TRUE(verified) << verified.error().message;
    EXPECT_FALSE(proof->check_server_final(verified->server_final));
}

TEST(scram_login, TheClientKeyRecoveredFromAClientLogsIntoTheSameSecret) {
    // pgroute as the server: libpq's recorded login yields its ClientKey...
    const auto from_client =
        scram_challenge::accept(pg::libpq_login.client_first, postgres_exchange());
    ASSERT_TRUE(from_client);
    const auto verified = from_client->verify(pg::libpq_login.client_final);
    ASSERT_TRUE(verified);
    // ...and pgroute as the client logs in with it where the same secret is stored, fresh nonces.
    const scram_login login({std::string(pg::scram_user),
                             verified->client_key,
                             postgres_secret(),
                             {},
                             random_scram_nonce()});
    const auto node = scram_challenge::accept(
        login.client_first(),
        {std::string(pg::scram_user), {postgres_secret(), false}, {}, random_scram_nonce()});
    ASSERT_TRUE(node);
    const auto proof = login.answer(node->server_first());
    ASSERT_TRUE(proof);
    const auto on_node = node->verify(proof->client_final());
    ASSERT_TRUE(on_node) << on_node.error().message;
    EXPECT_EQ(on_node->client_key, verified->client_key);
    EXPECT_FALSE(proof->check_server_final(on_node->server_final));
}

TEST(scram_login, RefusesANodeWhoseSecretHasAnotherSaltOrIterationCount) {
    const scram_login login(postgres_credentials());
    for (std::string_view server_first :
         {"r=rxUXnGahIt8x8VtHgXus2RN/xyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
          "r=rxUXnGahIt8x8VtHgXus2RN/xyz,s=ms+mRC5VKY+uFG1NhDVJIw==,i=4095"}) {
        const auto proof = login.answer(server_first);
        ASSERT_FALSE(proof) << server_first;
        EXPECT_EQ(proof.error().sqlstate, "08006");
        EXPECT_EQ(proof.error().message,
                  "the node's SCRAM secret for user \"pgroute_scram\" differs from pgroute's (salt "
                  "or iteration count): the password was changed on the node, or pgroute's copy "
                  "is stale");
    }
}

TEST(scram_login, RefusesMalformedServerFirstMessagesWithLibpqsWords) {
    const scram_login login(postgres_credentials());
    const std::string good_rest = ",s=ms+mRC5VKY+uFG1NhDVJIw==,i=4096";
    const std::pair<std::string, std::string_view> cases[] = {
        {"", "malformed SCRAM message (attribute \"r\" expected)"},
        {"x=rxUXnGahIt8x8VtHgXus2RN/" + good_rest,
         "malformed SCRAM message (attribute \"r\" expected)"},
        {"r:rxUXnGahIt8x8VtHgXus2RN/" + good_rest,
         "malformed SCRAM message (expected character \"=\" for attribute \"r\")"},
        {"r=rxUXnGahIt8x8VtHgXus2RN" + good_rest, "invalid SCRAM response (nonce mismatch)"},
        {"r=another" + good_rest, "invalid SCRAM response (nonce mismatch)"},
        {"r=rxUXnGahIt8x8VtHgXus2RN/x,i=4096",
         "malformed SCRAM message (attribute \"s\" expected)"},
        {"r=rxUXnGahIt8x8VtHgXus2RN/x,s=ms+mRC5VKY+uFG1NhDVJIw=,i=4096",
         "malformed SCRAM message (invalid salt)"},
        {"r=rxUXnGahIt8x8VtHgXus2RN/x,s=ms+mRC5VKY+uFG1NhDVJIw==",
         "malformed SCRAM message (attribute \"i\" expected)"},
        {"r=rxUXnGahIt8x8VtHgXus2RN/x,s=ms+mRC5VKY+uFG1NhDVJIw==,i=0",
         "malformed SCRAM message (invalid iteration count)"},
        {"r=rxUXnGahIt8x8VtHgXus2RN/x,s=ms+mRC5VKY+uFG1NhDVJIw==,i=40x",
         "malformed SCRAM message (invalid iteration count)"},
        {"r=rxUXnGahIt8x8VtHgXus2RN/x,s=ms+mRC5VKY+uFG1NhDVJIw==,i=",
         "malformed SCRAM message (invalid iteration count)"},
        {"r=rxUXnGahIt8x8VtHgXus2RN/x" + good_rest + ",x=1",
         "malformed SCRAM message (garbage at end of server-first-message)"},
    };
    for (const auto& [message, expected] : cases) {
        const auto proof = login.answer(message);
        ASSERT_FALSE(proof) << message;
        EXPECT_EQ(proof.error().sqlstate, "08006") << message;
        EXPECT_EQ(proof.error().message, expected) << message;
    }
}

TEST(scram_login, ChecksTheNodesSignature) {
    const scram_login login(postgres_credentials());
    const auto proof = login.answer(pg::libpq_login.server_first);
    ASSERT_TRUE(proof);
    std::string forged(pg::libpq_login.server_final);
    forged[5] = forged[5] == 'A' ? 'B' : 'A';
    const std::pair<std::string, std::string_view> cases[] = {
        {forged, "incorrect server signature"},
        {"v=AAAA", "malformed SCRAM message (invalid server signature)"},
        {"v=not base64", "malformed SCRAM message (invalid server signature)"},
        {std::string(pg::libpq_login.server_final) + ",x=1",
         "malformed SCRAM message (garbage at end of server-final-message)"},
        {"", "malformed SCRAM message (attribute \"v\" expected)"},
        {"e=invalid-proof", "error received from server in SCRAM exchange: invalid-proof"},
        {"e=bad\x01\xffproof", "error received from server in SCRAM exchange: bad??proof"},
        {"e", "malformed SCRAM message (expected character \"=\" for attribute \"e\")"},
    };
    for (const auto& [message, expected] : cases) {
        const auto error = proof->check_server_final(message);
        ASSERT_TRUE(error) << message;
        EXPECT_EQ(error->sqlstate, "08006");
        EXPECT_EQ(error->message, expected) << message;
    }
}

}  // namespace
}  // namespace pgroute::proxy::auth
