#include "health/patroni/status_parser.h"

#include <gtest/gtest.h>

#include <string>

#include "health/patroni/timestamp.h"
#include "patroni_answers.h"

namespace pgroute::health {
namespace {

using testing::leader_answer;
using testing::replica_answer;
using testing::stopped_answer;

TEST(parse_patroni_status, ReadsTheLeader) {
    const status_parse parsed = parse_patroni_status(leader_answer(50331968));
    ASSERT_EQ(parsed.outcome, poll_outcome::ok) << parsed.error;
    EXPECT_EQ(parsed.status.role, node_role::leader);
    EXPECT_EQ(parsed.status.state, "running");
    EXPECT_EQ(parsed.status.timeline, 1u);
    EXPECT_EQ(parsed.status.leader_location, 50331968u);
    EXPECT_FALSE(parsed.status.replayed_location);
    EXPECT_FALSE(parsed.status.cluster_paused);
}

TEST(parse_patroni_status, ReadsPatroni4PrimaryAsTheLeader) {
    const status_parse parsed = parse_patroni_status(leader_answer(1, "primary"));
    ASSERT_EQ(parsed.outcome, poll_outcome::ok) << parsed.error;
    EXPECT_EQ(parsed.status.role, node_role::leader);
}

TEST(parse_patroni_status, ReadsAReplicaWithNullReplayedTimestamp) {
    const status_parse parsed = parse_patroni_status(replica_answer(50331968));
    ASSERT_EQ(parsed.outcome, poll_outcome::ok) << parsed.error;
    const node_status& status = parsed.status;
    EXPECT_EQ(status.role, node_role::replica);
    EXPECT_EQ(status.received_location, 50331968u);
    EXPECT_EQ(status.replayed_location, 50331968u);
    EXPECT_FALSE(status.replayed_timestamp);
    EXPECT_FALSE(status.replay_paused);
    EXPECT_FALSE(status.leader_location);
    EXPECT_FALSE(status.replication_state);
}

TEST(parse_patroni_status, ReadsAReplicasReplayedTimestamp) {
    const status_parse parsed =
        parse_patroni_status(replica_answer(7, R"("2024-01-01 12:00:00.123456+00:00")"));
    ASSERT_EQ(parsed.outcome, poll_outcome::ok) << parsed.error;
    EXPECT_EQ(parsed.status.replayed_timestamp,
              parse_patroni_timestamp("2024-01-01 12:00:00.123456+00:00"));
}

TEST(parse_patroni_status, ReadsAPausedReplicaInAPausedClusterWithTags) {
    const std::string json = R"({"state": "running", "role": "replica", "xlog": {
        "received_location": 100, "replayed_location": 90, "replayed_timestamp": null,
        "paused": true}, "timeline": 2, "pause": true, "replication_state": "streaming",
        "tags": {"nofailover": true, "noloadbalance": true, "clonefrom": true}})";
    const status_parse parsed = parse_patroni_status(json);
    ASSERT_EQ(parsed.outcome, poll_outcome::ok) << parsed.error;
    const node_status& status = parsed.status;
    EXPECT_TRUE(status.replay_paused);
    EXPECT_TRUE(status.cluster_paused);
    EXPECT_EQ(status.received_location, 100u);
    EXPECT_EQ(status.replayed_location, 90u);
    EXPECT_EQ(status.replication_state, "streaming");
    EXPECT_TRUE(status.tags.nofailover);
    EXPECT_TRUE(status.tags.noloadbalance);
    EXPECT_FALSE(status.tags.nosync);
}

TEST(parse_patroni_status, ReadsTagsWithPythonTruthinessAsPatroniDoes) {
    const status_parse parsed = parse_patroni_status(
        R"({"state": "running", "role": "replica",
            "tags": {"nofailover": "false", "noloadbalance": 0, "nosync": 1}})");
    ASSERT_EQ(parsed.outcome, poll_outcome::ok) << parsed.error;
    EXPECT_TRUE(parsed.status.tags.nofailover);
    EXPECT_FALSE(parsed.status.tags.noloadbalance);
    EXPECT_TRUE(parsed.status.tags.nosync);
}

TEST(parse_patroni_status, ReadsAStoppedDemotedNodeWithoutXlog) {
    const status_parse parsed = parse_patroni_status(stopped_answer);
    ASSERT_EQ(parsed.outcome, poll_outcome::ok) << parsed.error;
    EXPECT_EQ(parsed.status.role, node_role::demoted);
    EXPECT_EQ(parsed.status.state, "stopped");
    EXPECT_FALSE(parsed.status.timeline);
    EXPECT_FALSE(parsed.status.leader_location);
    EXPECT_FALSE(parsed.status.replayed_location);
}

TEST(parse_patroni_status, MapsRolesItDoesNotRouteByToUnknown) {
    const status_parse parsed =
        parse_patroni_status(R"({"state": "stopped", "role": "uninitialized"})");
    ASSERT_EQ(parsed.outcome, poll_outcome::ok) << parsed.error;
    EXPECT_EQ(parsed.status.role, node_role::unknown);
}

TEST(parse_patroni_status, ReadsTheLargestPosition) {
    const status_parse parsed = parse_patroni_status(leader_answer(18446744073709551615u));
    ASSERT_EQ(parsed.outcome, poll_outcome::ok) << parsed.error;
    EXPECT_EQ(parsed.status.leader_location, 18446744073709551615u);
}

TEST(parse_patroni_status, GarbageBytesAreMalformedJson) {
    const std::string garbage("\x00\xff\xfe{\"role\"", 9);
    for (const std::string& body : {std::string{}, garbage, std::string("<html>502</html>"),
                                    std::string(R"({"role": "master", "state": "running")")}) {
        const status_parse parsed = parse_patroni_status(body);
        EXPECT_EQ(parsed.outcome, poll_outcome::malformed_json) << body;
        EXPECT_FALSE(parsed.error.empty());
    }
}

TEST(parse_patroni_status, WrongTypesAreUnexpectedFieldsNamingTheField) {
    const struct {
        const char* json;
        const char* error;
    } cases[] = {
        {R"({"state": "running", "role": 1})", "role is number, expected a string"},
        {R"({"state": ["running"], "role": "master"})", "state is array, expected a string"},
        {R"({"state": "running", "role": "master", "xlog": {"location": "0/3000060"}})",
         "xlog.location is string, expected an unsigned 64-bit integer"},
        {R"({"state": "running", "role": "master", "xlog": {"location": -1}})",
         "xlog.location is number, expected an unsigned 64-bit integer"},
        {R"({"state": "running", "role": "master", "xlog": 5})",
         "xlog is number, expected an object"},
        {R"({"state": "running", "role": "master", "timeline": 1.5})",
         "timeline is number, expected an unsigned 64-bit integer"},
        {R"({"state": "running", "role": "replica", "xlog": {"paused": "no"}})",
         "xlog.paused is string, expected a boolean"},
        {R"({"state": "running", "role": "replica", "xlog": {"replayed_timestamp": "yesterday"}})",
         "xlog.replayed_timestamp \"yesterday\" is not a timestamp"},
        {R"({"state": "running"})", "missing role"},
        {R"({"role": "master", "state": null})", "missing state"},
        {R"([1, 2, 3])", "body is a JSON array, expected an object"},
        {R"("running")", "body is a JSON string, expected an object"},
    };
    for (const auto& c : cases) {
        const status_parse parsed = parse_patroni_status(c.json);
        EXPECT_EQ(parsed.outcome, poll_outcome::unexpected_fields) << c.json;
        EXPECT_EQ(parsed.error, c.error) << c.json;
    }
}

TEST(parse_patroni_status, AnIntegerBeyond64BitsIsUnexpectedFields) {
    const status_parse parsed = parse_patroni_status(
        R"({"state": "running", "role": "master", "xlog": {"location": 18446744073709551616}})");
    EXPECT_EQ(parsed.outcome, poll_outcome::unexpected_fields);
}

TEST(parse_patroni_status, ANumberBeyondDoubleRangeIsMalformedJson) {
    const status_parse parsed =
        parse_patroni_status(R"({"state": "running", "role": "master", "timeline": 1e400})");
    EXPECT_EQ(parsed.outcome, poll_outcome::malformed_json);
}

TEST(parse_patroni_status, SurvivesDeepNestingAndEveryTruncation) {
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    EXPECT_EQ(parse_patroni_status(deep).outcome, poll_outcome::unexpected_fields);

    const std::string answer = replica_answer(50331968, R"("2024-01-01 12:00:00+00:00")");
    for (std::size_t length = 0; length < answer.size(); ++length) {
        const status_parse parsed =
            parse_patroni_status(std::string_view(answer).substr(0, length));
        EXPECT_NE(parsed.outcome, poll_outcome::ok) << length;
    }
}

}  // namespace
}  // namespace pgroute::health
