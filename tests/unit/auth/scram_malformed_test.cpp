// Every way a client's SCRAM message can be wrong, with the SQLSTATE, message and detail
// PostgreSQL 15 gives for it (auth-scram.c), and the oddities PostgreSQL accepts.
#include <gtest/gtest.h>

#include "proxy/auth/scram_server.h"
#include "tests/unit/auth/scram_fixture.h"

namespace pgroute::proxy::auth {
namespace {

namespace pg = postgres_answers;
using namespace testing;
using namespace std::string_literals;

const std::string nonce = "rxUXnGahIt8x8VtHgXus2RN/BioCueg1tEMX6CeDEA25XcG3";
const std::string proof = "p=CPbnH3ii0sNbR/bRM8FVPv1W4qJj6VdtF9iK1R0V9L0=";

struct expected_error {
    std::string_view sqlstate;
    std::string_view message;
    std::string_view detail = {};
};

void expect_error(const auth_error& error, const expected_error& expected, std::string_view input) {
    EXPECT_EQ(error.sqlstate, expected.sqlstate) << input;
    EXPECT_EQ(error.message, expected.message) << input;
    EXPECT_EQ(error.detail, expected.detail) << input;
}

expected_error malformed(std::string_view detail) {
    return {"08P01", "malformed SCRAM message", detail};
}

const channel_binding no_tls{};
const channel_binding tls_offered{{1, 2, 3}, false};
const channel_binding tls_selected{{1, 2, 3}, true};

TEST(scram_malformed, ClientFirstMessages) {
    const struct {
        std::string message;
        const channel_binding& binding;
        expected_error error;
    } cases[] = {
        {"", no_tls, malformed("The message is empty.")},
        {"n,,n=,r=a\0b"s, no_tls, malformed("Message length does not match input length.")},
        {"x,,n=,r=a", no_tls, malformed("Unexpected channel-binding flag \"'x'\".")},
        {"\x01,,n=,r=a", no_tls, malformed("Unexpected channel-binding flag \"0x01\".")},
        {"n;,n=,r=a", no_tls, malformed("Comma expected, but found character \"';'\".")},
        {"n", no_tls, malformed("Comma expected, but found character \"0x00\".")},
        {"n,,n=,r=a", tls_selected,
         malformed("The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not "
                   "include channel binding data.")},
        {"y,,n=,r=a", tls_selected,
         malformed("The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not "
                   "include channel binding data.")},
        {"y,,n=,r=a",
         tls_offered,
         {"28000", "SCRAM channel binding negotiation error",
          "The client supports SCRAM channel binding but thinks the server does not.  However, "
          "this server does support channel binding."}},
        {"p=tls-server-end-point,,n=,r=a", tls_offered,
         malformed("The client selected SCRAM-SHA-256 without channel binding, but the SCRAM "
                   "message includes channel binding data.")},
        {"p=tls-unique,,n=,r=a",
         tls_selected,
         {"08P01", "unsupported SCRAM channel-binding type \"tls-unique\""}},
        {"p=tls\x01unique,,n=,r=a",
         tls_selected,
         {"08P01", "unsupported SCRAM channel-binding type \"tls?unique\""}},
        {"p:tls-server-end-point,,n=,r=a", tls_selected,
         malformed("Expected character \"=\" for attribute \"p\".")},
        {"n,a=someone,n=,r=a",
         no_tls,
         {"0A000", "client uses authorization identity, but it is not supported"}},
        {"n,xn=,r=a", no_tls, malformed("Unexpected attribute \"'x'\" in client-first-message.")},
        {"n,,m=ext,n=,r=a", no_tls, {"0A000", "client requires an unsupported SCRAM extension"}},
        {"n,,r=a", no_tls, malformed("Expected attribute \"n\" but found \"'r'\".")},
        {"n,,n=", no_tls, malformed("Expected attribute \"r\" but found \"0x00\".")},
        {"n,,n=,r", no_tls, malformed("Expected character \"=\" for attribute \"r\".")},
        {"n,,n=,r=a\x7f", no_tls, {"08P01", "non-printable characters in SCRAM nonce"}},
        {"n,,n=,r=a b", no_tls, {"08P01", "non-printable characters in SCRAM nonce"}},
        {"n,,n=,r=a,1=x", no_tls,
         malformed("Attribute expected, but found invalid character \"'1'\".")},
        {"n,,n=,r=a,x", no_tls, malformed("Expected character \"=\" for attribute \"x\".")},
    };
    for (const auto& c : cases) {
        const auto challenge = scram_challenge::accept(c.message, postgres_exchange(c.binding));
        ASSERT_FALSE(challenge) << c.message;
        expect_error(challenge.error(), c.error, c.message);
    }
}

TEST(scram_malformed, ClientFirstOdditiesPostgresAccepts) {
    // A user name (ignored), 'y' without TLS, an empty nonce, a trailing comma.
    for (std::string_view message :
         {"n,,n=someone else,r=a", "y,,n=,r=a", "n,,n=,r=", "n,,n=,r=a,", "n,,n=,r=a,z=1"}) {
        EXPECT_TRUE(scram_challenge::accept(message, postgres_exchange())) << message;
    }
}

TEST(scram_malformed, ClientFinalMessages) {
    const auto challenge =
        scram_challenge::accept(pg::libpq_login.client_first, postgres_exchange());
    ASSERT_TRUE(challenge);
    const struct {
        std::string message;
        expected_error error;
    } cases[] = {
        {"", malformed("The message is empty.")},
        {"c=biws,r=" + nonce + "," + proof + "\0"s,
         malformed("Message length does not match input length.")},
        {"r=" + nonce + "," + proof, malformed("Expected attribute \"c\" but found \"'r'\".")},
        {"c", malformed("Expected character \"=\" for attribute \"c\".")},
        {"c=eSws,r=" + nonce + "," + proof,
         {"08P01", "unexpected SCRAM channel-binding attribute in client-final-message"}},
        {"c=cD10bHMtc2VydmVyLWVuZC1wb2ludCws,r=" + nonce + "," + proof,
         {"08P01", "unexpected SCRAM channel-binding attribute in client-final-message"}},
        {"c=biws,x=1," + proof, malformed("Expected attribute \"r\" but found \"'x'\".")},
        {"c=biws,r=" + nonce, malformed("Attribute expected, but found end of string.")},
        {"c=biws,r=" + nonce + ",x=1", malformed("Attribute expected, but found end of string.")},
        {"c=biws,r=" + nonce + ",-=1",
         malformed("Attribute expected, but found invalid character \"'-'\".")},
        {"c=biws,r=" + nonce + ",p=AAAA", malformed("Malformed proof in client-final-message.")},
        {"c=biws,r=" + nonce + ",p=not base64",
         malformed("Malformed proof in client-final-message.")},
        {"c=biws,r=" + nonce + "," + proof + ",x=1",
         malformed("Garbage found at the end of client-final-message.")},
        {"c=biws,r=" + nonce + "x," + proof,
         {"08P01", "invalid SCRAM response", "Nonce does not match."}},
        {"c=biws,r=rxUXnGahIt8x8VtHgXus2RN/," + proof,
         {"08P01", "invalid SCRAM response", "Nonce does not match."}},
        // Parsed, but an extension is part of the signed message, so libpq's proof no longer fits.
        {"c=biws,r=" + nonce + ",x=ext," + proof,
         {"28P01", "password authentication failed for user \"pgroute_scram\""}},
    };
    for (const auto& c : cases) {
        const auto verified = challenge->verify(c.message);
        ASSERT_FALSE(verified) << c.message;
        expect_error(verified.error(), c.error, c.message);
    }
    // A trailing comma after the proof is accepted, as PostgreSQL does.
    EXPECT_TRUE(challenge->verify(std::string(pg::libpq_login.client_final) + ","));
    EXPECT_TRUE(challenge->verify(pg::libpq_login.client_final));
}

TEST(scram_malformed, ClientFinalMustRepeatTheBindingFlag) {
    const auto said_y =
        scram_challenge::accept("y,,n=,r=rxUXnGahIt8x8VtHgXus2RN/", postgres_exchange());
    ASSERT_TRUE(said_y);
    const auto repeated_n = said_y->verify(pg::libpq_login.client_final);
    ASSERT_FALSE(repeated_n);
    EXPECT_EQ(repeated_n.error().message,
              "unexpected SCRAM channel-binding attribute in client-final-message");

    const auto bound = scram_challenge::accept(
        "p=tls-server-end-point,,n=,r=rxUXnGahIt8x8VtHgXus2RN/", postgres_exchange(tls_selected));
    ASSERT_TRUE(bound);
    const auto unbound = bound->verify(pg::libpq_login.client_final);
    ASSERT_FALSE(unbound);
    expect_error(unbound.error(), {"28000", "SCRAM channel binding check failed"}, "c=biws");
}

}  // namespace
}  // namespace pgroute::proxy::auth
