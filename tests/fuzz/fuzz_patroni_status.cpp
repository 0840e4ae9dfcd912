// libFuzzer target: the parser of GET /patroni on arbitrary bytes. Nothing may crash or throw; the
// outcome is malformed_json exactly when the bytes are not JSON; an error is given exactly when
// the outcome is not ok; and an accepted status, written back as Patroni would print it, parses
// to the same status.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "health/patroni/status_parser.h"
#include "health/patroni/timestamp.h"
#include "tests/fuzz/invariant.h"
#include "tests/fuzz/patroni_invariants.h"
#include "tests/fuzz/timestamp_text.h"

namespace {

using namespace pgroute::health;
using nlohmann::json;
using pgroute::fuzz::require;

// The role as Patroni 4 spells it (a switch, not node_role's to_string: the fuzz build links no
// pgroute_topology, and two of the names differ).
std::string role_text(node_role role) {
    switch (role) {
        case node_role::leader:
            return "primary";
        case node_role::replica:
            return "replica";
        case node_role::standby_leader:
            return "standby_leader";
        case node_role::demoted:
            return "demoted";
        case node_role::unknown:
            break;
    }
    return "uninitialized";
}

template <typename T>
void put(json& object, const char* key, const std::optional<T>& value) {
    if (value) object[key] = *value;
}

std::string patroni_text(const node_status& status) {
    json xlog = json::object();
    put(xlog, "location", status.leader_location);
    put(xlog, "received_location", status.received_location);
    put(xlog, "replayed_location", status.replayed_location);
    if (status.replayed_timestamp) {
        xlog["replayed_timestamp"] =
            pgroute::fuzz::patroni_timestamp_text(*status.replayed_timestamp);
    }
    xlog["paused"] = status.replay_paused;
    json document = {
        {"role", role_text(status.role)},
        {"state", status.state},
        {"pause", status.cluster_paused},
        {"xlog", xlog},
        {"tags",
         {{"nofailover", status.tags.nofailover},
          {"noloadbalance", status.tags.noloadbalance},
          {"nosync", status.tags.nosync}}},
    };
    put(document, "timeline", status.timeline);
    put(document, "replication_state", status.replication_state);
    return document.dump();
}

bool same_status(const node_status& a, const node_status& b) {
    return a.role == b.role && a.state == b.state && a.timeline == b.timeline &&
           a.leader_location == b.leader_location && a.received_location == b.received_location &&
           a.replayed_location == b.replayed_location &&
           a.replayed_timestamp == b.replayed_timestamp && a.replay_paused == b.replay_paused &&
           a.replication_state == b.replication_state && a.cluster_paused == b.cluster_paused &&
           a.tags.nofailover == b.tags.nofailover && a.tags.noloadbalance == b.tags.noloadbalance &&
           a.tags.nosync == b.tags.nosync;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    const status_parse parsed = parse_patroni_status(body);
    pgroute::fuzz::check_json_outcome(parsed.outcome, parsed.error, body);
    if (parsed.outcome != poll_outcome::ok) return 0;

    const json document = json::parse(body);
    require(parse_patroni_role(document.at("role").get<std::string>()) == parsed.status.role,
            "the role is read from the role field");
    const status_parse again = parse_patroni_status(patroni_text(parsed.status));
    require(again.outcome == poll_outcome::ok, "the status written back parses: " + again.error);
    require(same_status(again.status, parsed.status), "the status written back reads the same");
    return 0;
}
