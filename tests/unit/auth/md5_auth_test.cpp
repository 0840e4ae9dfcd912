#include "proxy/auth/md5_auth.h"

#include <gtest/gtest.h>

#include "tests/unit/auth/postgres_answers.h"

namespace pgroute::proxy::auth {
namespace {

namespace pg = postgres_answers;

md5_secret postgres_md5() {
    return std::get<md5_secret>(*parse_stored_password(pg::md5_secret_text));
}

const md5_salt recorded_salt{pg::md5_salt[0], pg::md5_salt[1], pg::md5_salt[2], pg::md5_salt[3]};

TEST(md5_auth, AnswersPostgresChallengeAsLibpqDidFromTheStoredHash) {
    EXPECT_EQ(md5_response(postgres_md5(), recorded_salt), pg::libpq_md5_response);
}

TEST(md5_auth, AcceptsLibpqsAnswer) {
    const auto stored = postgres_md5();
    EXPECT_FALSE(check_md5_response(pg::md5_user, &stored, recorded_salt, pg::libpq_md5_response));
}

TEST(md5_auth, RefusesAWrongAnswerAndAnUnknownUserAlike) {
    const auto stored = postgres_md5();
    const md5_salt other_salt{1, 2, 3, 4};
    std::string upper(pg::libpq_md5_response);
    upper[3] = 'F';
    for (std::string_view response : {std::string_view(upper), std::string_view(""),
                                      pg::libpq_md5_response.substr(3), pg::md5_secret_text}) {
        const auto error = check_md5_response(pg::md5_user, &stored, recorded_salt, response);
        ASSERT_TRUE(error) << response;
        EXPECT_EQ(error->sqlstate, "28P01");
        EXPECT_EQ(error->message, "password authentication failed for user \"pgroute_md5\"");
    }
    EXPECT_TRUE(check_md5_response(pg::md5_user, &stored, other_salt, pg::libpq_md5_response));

    const auto unknown =
        check_md5_response("nobody", nullptr, recorded_salt, pg::libpq_md5_response);
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->sqlstate, "28P01");
    EXPECT_EQ(unknown->message, "password authentication failed for user \"nobody\"");
}

TEST(md5_auth, SaltsDiffer) {
    EXPECT_NE(random_md5_salt(), random_md5_salt());
}

}  // namespace
}  // namespace pgroute::proxy::auth
