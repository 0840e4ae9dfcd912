#include "protocol/error_response.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol/byte_reader.h"
#include "protocol/message_type.h"
#include "protocol/sqlstate.h"

namespace pgroute::protocol {
namespace {

using namespace std::string_view_literals;

TEST(error_response, BuildsTheFrameBytesAsPostgresSendsThem) {
    const std::string frame = build_error_response(
        {severity::fatal, sqlstate::cannot_connect_now, "the database system is starting up"});
    const std::string_view expected =
        "E\0\0\0\x3e"sv
        "SFATAL\0"
        "VFATAL\0"
        "C57P03\0"
        "Mthe database system is starting up\0"
        "\0"sv;
    EXPECT_EQ(frame, expected);
}

TEST(error_response, BuildsDetailAndHintAfterTheMessage) {
    const std::string frame =
        build_error_response({severity::error, sqlstate::read_only_sql_transaction, "read only",
                              "node is a replica", "use 5551"});
    const std::string_view expected =
        "E\0\0\0\x42"sv
        "SERROR\0"
        "VERROR\0"
        "C25006\0"
        "Mread only\0"
        "Dnode is a replica\0"
        "Huse 5551\0"
        "\0"sv;
    EXPECT_EQ(frame, expected);
}

TEST(error_response, BuildsANoticeResponseWhenAskedFor) {
    const std::string frame =
        build_error_response({severity::notice, "00000", "hello"}, PqMsg_NoticeResponse);
    ASSERT_FALSE(frame.empty());
    EXPECT_EQ(frame[0], PqMsg_NoticeResponse);
}

struct round_trip_case {
    std::string_view name;
    error_fields fields;
    char type;
};

class error_response_round_trip : public ::testing::TestWithParam<round_trip_case> {};

TEST_P(error_response_round_trip, ParsesBackWhatItBuilt) {
    const auto& [name, fields, type] = GetParam();
    const std::string frame = build_error_response(fields, type);
    ASSERT_GE(frame.size(), frame_header_size);
    EXPECT_EQ(frame[0], type);
    EXPECT_EQ(load_u32(frame.data() + 1), frame.size() - 1);
    const auto parsed = parse_error_response(std::string_view(frame).substr(frame_header_size));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->severity, fields.severity);
    EXPECT_EQ(parsed->sqlstate, fields.sqlstate);
    EXPECT_EQ(parsed->message, fields.message);
    EXPECT_EQ(parsed->detail, fields.detail);
    EXPECT_EQ(parsed->hint, fields.hint);
}

INSTANTIATE_TEST_SUITE_P(
    SeveritiesAndOptionalFields, error_response_round_trip,
    ::testing::Values(
        round_trip_case{"ErrorPlain",
                        {severity::error, sqlstate::read_only_sql_transaction,
                         "cannot execute INSERT in a read-only transaction"},
                        PqMsg_ErrorResponse},
        round_trip_case{
            "ErrorWithDetailAndHint",
            {severity::error, sqlstate::query_canceled, "canceling statement due to user request",
             "the node left the cluster", "retry the statement"},
            PqMsg_ErrorResponse},
        round_trip_case{"FatalPlain",
                        {severity::fatal, sqlstate::cannot_connect_now, "no leader available"},
                        PqMsg_ErrorResponse},
        round_trip_case{"FatalWithDetailAndHint",
                        {severity::fatal, sqlstate::admin_shutdown,
                         "terminating connection due to administrator command",
                         "node db2 is no longer the leader", "reconnect to reach the new leader"},
                        PqMsg_ErrorResponse},
        round_trip_case{
            "FatalWithDetailOnly",
            {severity::fatal, sqlstate::too_many_connections, "too many clients", "limit is 100"},
            PqMsg_ErrorResponse},
        round_trip_case{"NoticePlain",
                        {severity::notice, "00000", "routed to replica db3"},
                        PqMsg_NoticeResponse},
        round_trip_case{"NoticeWithHintOnly",
                        {severity::notice, "00000", "replica lag is high", {}, "use the leader"},
                        PqMsg_NoticeResponse},
        round_trip_case{"WarningWithDetailAndHint",
                        {severity::warning, "01000", "switchover in progress", "leader changing",
                         "expect a reconnect"},
                        PqMsg_NoticeResponse}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(error_response, ParsesARealServerErrorAndIgnoresFieldsItDoesNotUse) {
    const auto body =
        "SERROR\0VERROR\0C23505\0Mduplicate key value violates unique constraint \"t_pkey\"\0"
        "DKey (id)=(1) already exists.\0spublic\0tt\0nt_pkey\0Fnbtinsert.c\0L664\0"
        "R_bt_check_unique\0\0"sv;
    const auto parsed = parse_error_response(body);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->severity, "ERROR");
    EXPECT_EQ(parsed->sqlstate, "23505");
    EXPECT_EQ(parsed->message, "duplicate key value violates unique constraint \"t_pkey\"");
    EXPECT_EQ(parsed->detail, "Key (id)=(1) already exists.");
    EXPECT_TRUE(parsed->hint.empty());
}

TEST(error_response, PrefersTheNonLocalizedSeverityOverTheLocalizedOne) {
    const auto body = "SFEHLER\0VERROR\0C22012\0MDivision durch Null\0Fint.c\0L841\0Rint4div\0\0"sv;
    const auto parsed = parse_error_response(body);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->severity, "ERROR");
    EXPECT_EQ(parsed->message, "Division durch Null");
}

TEST(error_response, PrefersTheNonLocalizedSeverityWhenItComesFirst) {
    const auto parsed = parse_error_response("VFATAL\0SFATAL-LOCALISED\0C57P01\0Mbye\0\0"sv);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->severity, "FATAL");
}

TEST(error_response, FallsBackToTheLocalizedSeverityFromOlderServers) {
    const auto parsed = parse_error_response("SERROR\0C42601\0Msyntax error\0P1\0\0"sv);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->severity, "ERROR");
    EXPECT_EQ(parsed->sqlstate, "42601");
}

TEST(error_response, RejectsEveryTruncationOfAValidBody) {
    const auto body = "SERROR\0VERROR\0C22012\0Mdivision by zero\0Dd\0Hh\0\0"sv;
    ASSERT_TRUE(parse_error_response(body).has_value());
    for (std::size_t size = 0; size < body.size(); ++size) {
        EXPECT_FALSE(parse_error_response(body.substr(0, size)).has_value())
            << "truncated to " << size << " bytes";
    }
}

TEST(error_response, RejectsBytesAfterTheTerminator) {
    EXPECT_FALSE(parse_error_response("SERROR\0C22012\0Mx\0\0S"sv).has_value());
}

}  // namespace
}  // namespace pgroute::protocol
