#include "health/patroni/members.h"

#include <gtest/gtest.h>

namespace pgroute::health {
namespace {

const char* const cluster_answer = R"({"members": [
    {"name": "pg1", "role": "leader", "state": "running", "api_url": "http://127.0.0.1:8008/patroni",
     "host": "127.0.0.1", "port": 5432, "timeline": 1},
    {"name": "pg2", "role": "replica", "state": "streaming", "api_url": "http://127.0.0.2:8009/patroni",
     "host": "127.0.0.2", "port": 5433, "timeline": 1, "lag": 0},
    {"name": "pg3", "role": "sync_standby", "state": "running", "api_url": "http://db3:8008/patroni",
     "host": "db3", "timeline": 1, "lag": "unknown"}], "scope": "demo"})";

cluster_member member(std::string name, std::string host, std::uint16_t port, std::string api_url) {
    return cluster_member{
        .address = {.name = std::move(name), .host = std::move(host), .port = port},
        .api_url = std::move(api_url)};
}

TEST(parse_cluster_members, ReadsNameAddressAndApiBaseUrl) {
    const members_parse parsed = parse_cluster_members(cluster_answer);
    ASSERT_EQ(parsed.outcome, poll_outcome::ok) << parsed.error;
    EXPECT_EQ(parsed.members, (std::vector<cluster_member>{
                                  member("pg1", "127.0.0.1", 5432, "http://127.0.0.1:8008"),
                                  member("pg2", "127.0.0.2", 5433, "http://127.0.0.2:8009"),
                                  member("pg3", "db3", 5432, "http://db3:8008")}));
}

TEST(parse_cluster_members, GarbageIsMalformedJson) {
    EXPECT_EQ(parse_cluster_members("").outcome, poll_outcome::malformed_json);
    EXPECT_EQ(parse_cluster_members("{\"members\": [").outcome, poll_outcome::malformed_json);
}

TEST(parse_cluster_members, WrongShapesAreUnexpectedFields) {
    const struct {
        const char* json;
        const char* error;
    } cases[] = {
        {R"({"scope": "demo"})", "missing members"},
        {R"({"members": {}})", "members is object, expected an array"},
        {R"({"members": [7]})", "members[0] is number, expected an object"},
        {R"({"members": [{"name": "pg1", "host": "h", "api_url": 1}]})",
         "members[0].api_url is number, expected a string"},
        {R"({"members": [{"name": "pg1", "api_url": "http://h:8008/patroni"}]})",
         "missing members[0].host"},
        {R"({"members": [{"name": "pg1", "host": "h", "port": 70000, "api_url": "http://h"}]})",
         "members[0].port 70000 is out of range"},
        {R"([])", "body is a JSON array, expected an object"},
    };
    for (const auto& c : cases) {
        const members_parse parsed = parse_cluster_members(c.json);
        EXPECT_EQ(parsed.outcome, poll_outcome::unexpected_fields) << c.json;
        EXPECT_EQ(parsed.error, c.error) << c.json;
    }
}

TEST(merge_members, AMemberListedByClusterJoinsAfterTheSeeds) {
    const std::vector<cluster_member> seeds{
        member("pg1", "10.0.0.1", 5432, "http://10.0.0.1:8008")};
    const std::vector<cluster_member> discovered{
        member("pg4", "10.0.0.4", 5432, "http://10.0.0.4:8008"),
        member("pg1", "10.0.0.1", 5432, "http://10.0.0.1:8008")};
    EXPECT_EQ(merge_members(seeds, discovered),
              (std::vector<cluster_member>{seeds[0], discovered[0]}));
}

TEST(merge_members, ANonSeedMissingFromClusterLeavesButSeedsStay) {
    const std::vector<cluster_member> seeds{
        member("pg1", "10.0.0.1", 5432, "http://10.0.0.1:8008"),
        member("pg2", "10.0.0.2", 5432, "http://10.0.0.2:8008")};
    const std::vector<cluster_member> before =
        merge_members(seeds, {member("pg4", "10.0.0.4", 5432, "http://10.0.0.4:8008")});
    ASSERT_EQ(before.size(), 3u);
    EXPECT_EQ(merge_members(seeds, {}), seeds);
}

TEST(merge_members, TheConfiguredAddressOfASeedWinsOverClusters) {
    const std::vector<cluster_member> seeds{
        member("pg1", "proxy-side-name", 6432, "http://10.0.0.1:8008")};
    const std::vector<cluster_member> merged =
        merge_members(seeds, {member("pg1", "10.0.0.1", 5432, "http://10.0.0.1:8008")});
    EXPECT_EQ(merged, seeds);
}

}  // namespace
}  // namespace pgroute::health
