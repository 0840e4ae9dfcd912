#include "proxy/auth/stored_verifier.h"

#include <gtest/gtest.h>

#include "proxy/auth/base64.h"
#include "proxy/auth/mock_verifier.h"
#include "tests/unit/auth/postgres_answers.h"

namespace pgroute::proxy::auth {
namespace {

namespace pg = postgres_answers;

std::vector<std::uint8_t> decoded(std::string_view base64) {
    return *base64_decode(base64);
}

TEST(scram_secret, ParsesPostgresOwnSecretAndWritesItBackTheSame) {
    const auto secret = parse_scram_secret(pg::scram_secret_text);
    ASSERT_TRUE(secret);
    EXPECT_EQ(secret->iterations, 4096);
    EXPECT_EQ(secret->salt, decoded(pg::libpq_login.salt));
    EXPECT_EQ(format_scram_secret(*secret), pg::scram_secret_text);
}

TEST(scram_secret, DerivesFromThePasswordTheSecretPostgresStored) {
    const auto keys = derive_scram_keys(pg::password, decoded(pg::libpq_login.salt), 4096);
    EXPECT_EQ(format_scram_secret(keys.secret), pg::scram_secret_text);
    EXPECT_EQ(sha256(keys.client_key), keys.secret.stored_key);
}

TEST(scram_secret, RefusesEveryMalformedVariant) {
    const std::string key = "kGoCmOLspKXq+UnVrjohwLwbZru92AiWtr6VwNu0Sso=";
    const std::string short_key = "kGoCmOLspKXq+UnVrjohwLwbZru92AiWtr6VwNu0Sw==";
    for (const std::string& text : {
             "SCRAM-SHA-256$4096:c2FsdA==$" + key,              // no ServerKey
             "SCRAM-SHA-256$4096:c2FsdA==" + key,               // no '$'
             "SCRAM-SHA-256$4096c2FsdA==$" + key + ":" + key,   // no ':'
             "SCRAM-SHA-1$4096:c2FsdA==$" + key + ":" + key,    // another mechanism
             "scram-sha-256$4096:c2FsdA==$" + key + ":" + key,  // case matters
             "SCRAM-SHA-256$0:c2FsdA==$" + key + ":" + key,     // no iterations
             "SCRAM-SHA-256$-1:c2FsdA==$" + key + ":" + key,
             "SCRAM-SHA-256$:c2FsdA==$" + key + ":" + key,
             "SCRAM-SHA-256$4096x:c2FsdA==$" + key + ":" + key,
             "SCRAM-SHA-256$99999999999:c2FsdA==$" + key + ":" + key,    // over INT_MAX
             "SCRAM-SHA-256$4096:$" + key + ":" + key,                   // empty salt
             "SCRAM-SHA-256$4096:c2FsdA=$" + key + ":" + key,            // salt not base64
             "SCRAM-SHA-256$4096:c2FsdA==$" + short_key + ":" + key,     // StoredKey of 31 bytes
             "SCRAM-SHA-256$4096:c2FsdA==$" + key + ":" + key + "AAAA",  // ServerKey of 35 bytes
             "SCRAM-SHA-256$4096:c2FsdA==$" + key + ":" + key + ":",
         }) {
        EXPECT_FALSE(parse_scram_secret(text)) << text;
    }
}

TEST(stored_password, TellsTheKindsApartAsPostgresDoes) {
    const auto scram = parse_stored_password(pg::scram_secret_text);
    ASSERT_TRUE(scram);
    EXPECT_TRUE(std::holds_alternative<scram_secret>(*scram));

    const auto md5 = parse_stored_password(pg::md5_secret_text);
    ASSERT_TRUE(md5);
    ASSERT_TRUE(std::holds_alternative<md5_secret>(*md5));
    EXPECT_EQ(std::get<md5_secret>(*md5).text(), pg::md5_secret_text.substr(3));

    // Not quite an md5 hash (upper case, one digit short or long): a clear-text password.
    for (std::string_view text :
         {"md56817C42CBD87DD69DBCFD3C6795DFF7C", "md56817c42cbd87dd69dbcfd3c6795dff7",
          "md56817c42cbd87dd69dbcfd3c6795dff7c0", "pencil", ""}) {
        const auto clear = parse_stored_password(text);
        ASSERT_TRUE(clear) << text;
        ASSERT_TRUE(std::holds_alternative<clear_password>(*clear)) << text;
        EXPECT_EQ(std::get<clear_password>(*clear).text, text);
    }
}

TEST(stored_password, RefusesABrokenScramSecretAndANonAsciiPassword) {
    const auto broken = parse_stored_password("SCRAM-SHA-256$4096:c2FsdA==$AAAA:AAAA");
    ASSERT_FALSE(broken);
    EXPECT_EQ(broken.error().message, "invalid SCRAM secret");
    const auto non_ascii = parse_stored_password("p\xc3\xa9ncil");
    ASSERT_FALSE(non_ascii);
    EXPECT_NE(non_ascii.error().message.find("SASLprep"), std::string::npos);
}

TEST(stored_verifier, KeepsOnlyTheSecretItWasGiven) {
    const auto scram = make_verifier(pg::scram_user, *parse_stored_password(pg::scram_secret_text));
    EXPECT_EQ(scram.scram, parse_scram_secret(pg::scram_secret_text));
    EXPECT_FALSE(scram.md5);
    const auto md5 = make_verifier(pg::md5_user, *parse_stored_password(pg::md5_secret_text));
    EXPECT_FALSE(md5.scram);
    ASSERT_TRUE(md5.md5);
    EXPECT_EQ(md5.md5->text(), pg::md5_secret_text.substr(3));
    EXPECT_EQ(make_verifier("nobody", clear_password{""}), stored_verifier{});
}

TEST(stored_verifier, TurnsAClearPasswordIntoBothSecretsUnderAFreshSalt) {
    const auto first = make_verifier(pg::md5_user, clear_password{pg::password});
    ASSERT_TRUE(first.scram && first.md5);
    // The md5 hash is PostgreSQL's for that user and password.
    EXPECT_EQ("md5" + std::string(first.md5->text()), pg::md5_secret_text);
    // The SCRAM secret is the one the password gives under its salt, a new salt each time.
    EXPECT_EQ(first.scram->iterations, scram_default_iterations);
    EXPECT_EQ(first.scram->salt.size(), scram_default_salt_length);
    EXPECT_EQ(derive_scram_keys(pg::password, first.scram->salt, 4096).secret, *first.scram);
    const auto second = make_verifier(pg::md5_user, clear_password{pg::password});
    EXPECT_NE(first.scram->salt, second.scram->salt);
}

TEST(mock_verifier, GivesAnUnknownUserAStableSaltOfItsOwn) {
    const std::vector<std::uint8_t> key(32, 7);
    const auto alice = mock_scram_secret("alice", key);
    EXPECT_EQ(alice, mock_scram_secret("alice", key));
    EXPECT_EQ(alice.iterations, scram_default_iterations);
    EXPECT_EQ(alice.salt.size(), scram_default_salt_length);
    EXPECT_NE(alice.salt, mock_scram_secret("bob", key).salt);
    EXPECT_NE(alice.salt, mock_scram_secret("alice", std::vector<std::uint8_t>(32, 8)).salt);
}

TEST(mock_verifier, StandsInForAUserWithoutAScramSecret) {
    const std::vector<std::uint8_t> key(32, 7);
    const auto real = make_verifier(pg::scram_user, *parse_stored_password(pg::scram_secret_text));
    const auto md5_only = make_verifier(pg::md5_user, *parse_stored_password(pg::md5_secret_text));

    const auto known = scram_secret_or_mock(pg::scram_user, &real, key);
    EXPECT_FALSE(known.doomed);
    EXPECT_EQ(known.secret, *real.scram);
    for (const stored_verifier* verifier :
         {static_cast<const stored_verifier*>(nullptr), &md5_only}) {
        const auto mock = scram_secret_or_mock("someone", verifier, key);
        EXPECT_TRUE(mock.doomed);
        EXPECT_EQ(mock.secret, mock_scram_secret("someone", key));
    }
}

}  // namespace
}  // namespace pgroute::proxy::auth
