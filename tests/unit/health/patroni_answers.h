// Answers of GET /patroni and GET /cluster shaped exactly as Patroni 3.0.2 prints them, for tests.
#pragma once

#include <cstdint>
#include <string>

namespace pgroute::health::testing {

inline std::string leader_answer(std::uint64_t location, const std::string& role = "master",
                                 const std::string& state = "running") {
    return R"({"state": ")" + state +
           R"(", "postmaster_start_time": "2024-01-01 11:00:00.000000+00:00", "role": ")" + role +
           R"(", "server_version": 150018, "xlog": {"location": )" + std::to_string(location) +
           R"(}, "timeline": 1, "dcs_last_seen": 1700000000, "database_system_identifier":)"
           R"( "7300000000000000000", "patroni": {"version": "3.0.2", "scope": "demo"}})";
}

// `replayed_timestamp` is JSON: "null" or a quoted timestamp.
inline std::string replica_answer(std::uint64_t replayed,
                                  const std::string& replayed_timestamp = "null",
                                  const std::string& extra = "") {
    return R"({"state": "running", "postmaster_start_time": "2024-01-01 11:00:00.000000+00:00",)"
           R"( "role": "replica", "server_version": 150018, "xlog": {"received_location": )" +
           std::to_string(replayed) + R"(, "replayed_location": )" + std::to_string(replayed) +
           R"(, "replayed_timestamp": )" + replayed_timestamp +
           R"(, "paused": false}, "timeline": 1, "cluster_unlocked": false,)"
           R"( "dcs_last_seen": 1700000000, "database_system_identifier": "7300000000000000000",)" +
           extra + R"( "patroni": {"version": "3.0.2", "scope": "demo"}})";
}

inline const std::string stopped_answer =
    R"({"state": "stopped", "role": "demoted", "dcs_last_seen": 1700000000,)"
    R"( "database_system_identifier": "7300000000000000000",)"
    R"( "patroni": {"version": "3.0.2", "scope": "demo"}})";

}  // namespace pgroute::health::testing
