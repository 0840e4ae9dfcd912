// The SQLSTATE codes pgroute reports itself, from PostgreSQL's errcodes.txt.
#pragma once

#include <string_view>

namespace pgroute::protocol::sqlstate {

inline constexpr std::string_view protocol_violation = "08P01";
inline constexpr std::string_view connection_failure = "08006";
inline constexpr std::string_view sqlclient_unable_to_establish_sqlconnection = "08001";
inline constexpr std::string_view cannot_connect_now = "57P03";
inline constexpr std::string_view admin_shutdown = "57P01";
inline constexpr std::string_view crash_shutdown = "57P02";
inline constexpr std::string_view too_many_connections = "53300";
inline constexpr std::string_view feature_not_supported = "0A000";
inline constexpr std::string_view invalid_authorization_specification = "28000";
inline constexpr std::string_view invalid_password = "28P01";
inline constexpr std::string_view read_only_sql_transaction = "25006";
inline constexpr std::string_view query_canceled = "57014";

}  // namespace pgroute::protocol::sqlstate
