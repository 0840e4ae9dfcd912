#include "proxy/auth/scram_server.h"

#include <gtest/gtest.h>

#include "proxy/auth/scram_attributes.h"
#include "proxy/auth/scram_login.h"
#include "tests/unit/auth/scram_fixture.h"

namespace pgroute::proxy::auth {
namespace {

namespace pg = postgres_answers;
using namespace testing;

TEST(scram_server, AnswersRfc7677sExampleMessageForMessage) {
    const auto keys = rfc7677_keys();
    const auto challenge = scram_challenge::accept(
        rfc7677.client_first,
        {"user", {keys.secret, false}, {}, std::string(rfc7677.server_nonce)});
    ASSERT_TRUE(challenge) << challenge.error().detail;
    EXPECT_EQ(challenge->server_first(), rfc7677.server_first);
    const auto verified = challenge->verify(rfc7677.client_final);
    ASSERT_TRUE(verified) << verified.error().message;
    EXPECT_EQ(verified->server_final, rfc7677.server_final);
    EXPECT_EQ(verified->client_key, keys.client_key);
}

TEST(scram_server, AnswersLibpqAsPostgresDidAndRecoversTheClientKey) {
    const auto challenge =
        scram_challenge::accept(pg::libpq_login.client_first, postgres_exchange());
    ASSERT_TRUE(challenge);
    EXPECT_EQ(challenge->server_first(), pg::libpq_login.server_first);
    const auto verified = challenge->verify(pg::libpq_login.client_final);
    ASSERT_TRUE(verified) << verified.error().message;
    EXPECT_EQ(verified->server_final, pg::libpq_login.server_final);
    const auto keys = postgres_keys();
    EXPECT_EQ(verified->client_key, keys.client_key);
}

TEST(scram_server, AWrongPasswordIs28P01WithPostgresText) {
    const auto secret = derive_scram_keys("not pencil", postgres_secret().salt, 4096).secret;
    auto exchange = postgres_exchange();
    exchange.secret.secret = secret;
    const auto challenge = scram_challenge::accept(pg::libpq_login.client_first, exchange);
    ASSERT_TRUE(challenge);
    const auto verified = challenge->verify(pg::libpq_login.client_final);
    ASSERT_FALSE(verified);
    EXPECT_EQ(verified.error().sqlstate, "28P01");
    EXPECT_EQ(verified.error().message,
              "password authentication failed for user \"pgroute_scram\"");
}

// A client logging in with a password, as libpq does, to drive a server with.
result<scram_verified> log_in(std::string_view password, const scram_exchange& exchange) {
    const auto keys =
        derive_scram_keys(password, exchange.secret.secret.salt, exchange.secret.secret.iterations);
    const scram_login client({"u", keys.client_key, keys.secret, {}, random_scram_nonce()});
    const auto challenge = scram_challenge::accept(client.client_first(), exchange);
    if (!challenge) return challenge.error();
    const auto proof = client.answer(challenge->server_first());
    if (!proof) return proof.error();
    return challenge->verify(proof->client_final());
}

TEST(scram_server, AnUnknownUserGetsTheAnswerOfAWrongPassword) {
    const std::vector<std::uint8_t> mock_key(32, 1);
    const auto mock = scram_exchange{
        "nobody", scram_secret_or_mock("nobody", nullptr, mock_key), {}, random_scram_nonce()};
    const auto unknown = log_in("pencil", mock);
    ASSERT_FALSE(unknown);
    auto wrong = postgres_exchange();
    wrong.user = "nobody";
    const auto wrong_password = log_in("not pencil", wrong);
    ASSERT_FALSE(wrong_password);
    EXPECT_EQ(unknown.error().sqlstate, wrong_password.error().sqlstate);
    EXPECT_EQ(unknown.error().message, wrong_password.error().message);
    EXPECT_EQ(unknown.error().detail, wrong_password.error().detail);
    // And the challenge looks like a real one: a 16-byte salt, 4096 iterations.
    const auto challenge = scram_challenge::accept("n,,n=,r=abc", mock);
    ASSERT_TRUE(challenge);
    EXPECT_EQ(challenge->server_first().size(),
              std::string_view("r=abc").size() + mock.server_nonce.size() +
                  std::string_view(",s=AAAAAAAAAAAAAAAAAAAAAA==,i=4096").size());
}

TEST(scram_server, ADoomedExchangeFailsEvenWithTheRightProof) {
    auto doomed = postgres_exchange();
    doomed.secret.doomed = true;
    const auto verified = log_in(pg::password, doomed);
    ASSERT_FALSE(verified);
    EXPECT_EQ(verified.error().sqlstate, "28P01");
    ASSERT_TRUE(log_in(pg::password, postgres_exchange()));
}

TEST(scram_server, AcceptsExtensionsAfterTheNonceAndBeforeTheProof) {
    const auto keys = rfc7677_keys();
    const scram_exchange exchange{"u", {keys.secret, false}, {}, "S"};
    const auto challenge = scram_challenge::accept("n,,n=,r=C,x=ignored,y=too", exchange);
    ASSERT_TRUE(challenge);
    EXPECT_EQ(challenge->server_first(), "r=CS,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
}

TEST(scram_server, OffersChannelBindingOnlyWithACertificateHash) {
    EXPECT_EQ(scram_mechanisms({}), std::vector<std::string_view>{"SCRAM-SHA-256"});
    const channel_binding tls{{1, 2, 3}, false};
    EXPECT_EQ(scram_mechanisms(tls),
              (std::vector<std::string_view>{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"}));

    const auto plus = choose_mechanism("SCRAM-SHA-256-PLUS", tls);
    ASSERT_TRUE(plus);
    EXPECT_TRUE(plus->selected);
    const auto plain = choose_mechanism("SCRAM-SHA-256", tls);
    ASSERT_TRUE(plain);
    EXPECT_FALSE(plain->selected);
    for (const auto& [mechanism, binding] :
         {std::pair{"SCRAM-SHA-256-PLUS", channel_binding{}}, std::pair{"SCRAM-SHA-1", tls},
          std::pair{"scram-sha-256", tls}}) {
        const auto refused = choose_mechanism(mechanism, binding);
        ASSERT_FALSE(refused) << mechanism;
        EXPECT_EQ(refused.error().sqlstate, "08P01");
        EXPECT_EQ(refused.error().message,
                  "client selected an invalid SASL authentication mechanism");
    }
}

TEST(scram_server, VerifiesChannelBindingToItsCertificate) {
    const std::vector<std::uint8_t> hash(32, 0xab);
    const auto keys = postgres_keys();
    const scram_login client({"u", keys.client_key, keys.secret, hash, "nonce"});
    EXPECT_EQ(client.mechanism(), "SCRAM-SHA-256-PLUS");
    EXPECT_EQ(client.client_first(), "p=tls-server-end-point,,n=,r=nonce");

    for (const bool same_certificate : {true, false}) {
        auto certificate = hash;
        if (!same_certificate) certificate[0] ^= 1;
        const auto binding = choose_mechanism(client.mechanism(), {certificate, false});
        ASSERT_TRUE(binding);
        const auto challenge =
            scram_challenge::accept(client.client_first(), postgres_exchange(*binding));
        ASSERT_TRUE(challenge);
        const auto proof = client.answer(challenge->server_first());
        ASSERT_TRUE(proof);
        const auto verified = challenge->verify(proof->client_final());
        if (same_certificate) {
            ASSERT_TRUE(verified) << verified.error().message;
            EXPECT_FALSE(proof->check_server_final(verified->server_final));
        } else {
            ASSERT_FALSE(verified);
            EXPECT_EQ(verified.error().sqlstate, "28000");
            EXPECT_EQ(verified.error().message, "SCRAM channel binding check failed");
        }
    }
}

}  // namespace
}  // namespace pgroute::proxy::auth
