#include "proxy/auth/userlist.h"

#include <gtest/gtest.h>

#include "tests/unit/auth/postgres_answers.h"

namespace pgroute::proxy::auth {
namespace {

namespace pg = postgres_answers;
using namespace std::string_literals;

TEST(userlist, ReadsPgBouncersFormat) {
    const auto entries = parse_userlist(
        "; PgBouncer's own example, and what it allows around it\n"
        "\"username1\" \"password\" ...\n"
        "\n"
        "   \"a \"\"quoted\"\" user\"\t\"pass\"\"word\"\r\n"
        "\"user;1\" \"\"   ; trailing text is ignored\n"
        "\"md5user\" \"md56817c42cbd87dd69dbcfd3c6795dff7c\"");
    ASSERT_TRUE(entries) << entries.error().message;
    ASSERT_EQ(entries->size(), 4u);
    EXPECT_EQ((*entries)[0].user, "username1");
    EXPECT_EQ((*entries)[0].password, "password");
    EXPECT_EQ((*entries)[0].line, 2u);
    EXPECT_EQ((*entries)[1].user, "a \"quoted\" user");
    EXPECT_EQ((*entries)[1].password, "pass\"word");
    EXPECT_EQ((*entries)[1].line, 4u);
    EXPECT_EQ((*entries)[2].user, "user;1");
    EXPECT_EQ((*entries)[2].password, "");
    EXPECT_EQ((*entries)[3].line, 6u);
}

TEST(userlist, AnEmptyFileHasNoUsers) {
    for (std::string_view text : {"", "\n\n", "; only a comment", "  \t\r\n; two\n;comments\n"}) {
        const auto entries = parse_userlist(text);
        ASSERT_TRUE(entries) << text;
        EXPECT_TRUE(entries->empty());
    }
}

TEST(userlist, ErrorsNameTheirLine) {
    const std::string long_user(128, 'u');
    const std::string long_password(65531, 'p');
    const struct {
        std::string text;
        std::size_t line;
        std::string_view message;
    } cases[] = {
        {"\"a\" \"b\"\nuser \"b\"", 2, "expected a user name in double quotes"},
        {"\n\n# not a comment\n", 3, "expected a user name in double quotes"},
        {"\"a\" \"b\"\n\"a", 2, "the user name has no closing quote"},
        {"\"a\nb\" \"c\"", 1, "the user name has no closing quote"},
        {"\"a\"\"\" \"b", 1, "the password has no closing quote"},
        {"\"a\"", 1, "expected a password in double quotes after the user name"},
        {"\"a\"\n\"b\"", 1, "expected a password in double quotes after the user name"},
        {"\"a\" b \"c\"", 1, "expected a password in double quotes after the user name"},
        {"\"\" \"b\"", 1, "empty user name"},
        {"\"" + long_user + "\" \"b\"", 1, "user name longer than 127 bytes"},
        {"\"a\" \"" + long_password + "\"", 1, "password longer than 65530 bytes"},
        {"\"a\" \"b\"\n\"c\" \"d\0\"\n"s, 2, "NUL byte in the file"},
    };
    for (const auto& c : cases) {
        const auto entries = parse_userlist(c.text);
        ASSERT_FALSE(entries) << c.text.substr(0, 40);
        EXPECT_EQ(entries.error().line, c.line) << c.text.substr(0, 40);
        EXPECT_EQ(entries.error().message, c.message) << c.text.substr(0, 40);
    }
    // The longest of each is fine.
    EXPECT_TRUE(
        parse_userlist("\"" + std::string(127, 'u') + "\" \"" + std::string(65530, 'p') + "\""));
}

TEST(userlist, LoadsVerifiersAndWipesTheText) {
    std::string text = "\"" + std::string(pg::scram_user) + "\" \"" +
                       std::string(pg::scram_secret_text) + "\"\n\"" + std::string(pg::md5_user) +
                       "\" \"" + std::string(pg::md5_secret_text) +
                       "\"\n\"plain\" \"pencil\"\n\"nopassword\" \"\"\n\"plain\" \"second\"\n";
    const auto users = load_userlist(text);
    EXPECT_TRUE(text.empty());
    ASSERT_TRUE(users) << users.error().message;
    ASSERT_EQ(users->size(), 4u);
    EXPECT_EQ(users->at("pgroute_scram").scram, parse_scram_secret(pg::scram_secret_text));
    EXPECT_EQ("md5" + std::string(users->at("pgroute_md5").md5->text()), pg::md5_secret_text);
    EXPECT_EQ(users->at("nopassword"), stored_verifier{});
    // The last line of a user counts.
    const auto& plain = users->at("plain");
    ASSERT_TRUE(plain.scram && plain.md5);
    EXPECT_EQ(*plain.md5, md5_secret_of("second", "plain"));
    EXPECT_EQ(derive_scram_keys("second", plain.scram->salt, plain.scram->iterations).secret,
              *plain.scram);
}

TEST(userlist, APasswordThatCannotBeUsedFailsTheLoadAtItsLine) {
    std::string text = "\"a\" \"b\"\n\"c\" \"SCRAM-SHA-256$4096:bad\"\n";
    const auto users = load_userlist(text);
    EXPECT_TRUE(text.empty());
    ASSERT_FALSE(users);
    EXPECT_EQ(users.error().line, 2u);
    EXPECT_EQ(users.error().message, "invalid SCRAM secret");

    std::string broken = "\"a\" \"b\"\nbroken\n";
    const auto refused = load_userlist(broken);
    EXPECT_TRUE(broken.empty());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().line, 2u);
}

}  // namespace
}  // namespace pgroute::proxy::auth
