#include "health/patroni/status_parser.h"

#include <nlohmann/json.hpp>

#include "health/patroni/json_fields.h"
#include "health/patroni/timestamp.h"

namespace pgroute::health {
namespace {

// Patroni evaluates a tag with bool(value), so "nofailover": "false" counts as set, exactly as
// Patroni itself treats it.
bool python_truthy(const nlohmann::json* value) {
    if (value == nullptr) return false;
    switch (value->type()) {
        case nlohmann::json::value_t::boolean:
            return value->get<bool>();
        case nlohmann::json::value_t::number_integer:
        case nlohmann::json::value_t::number_unsigned:
        case nlohmann::json::value_t::number_float:
            return value->get<double>() != 0.0;
        case nlohmann::json::value_t::string:
        case nlohmann::json::value_t::array:
        case nlohmann::json::value_t::object:
            return !value->empty();
        default:
            return false;
    }
}

node_tags read_tags(const nlohmann::json& tags) {
    const auto flag = [&](const char* name) {
        const auto it = tags.find(name);
        return python_truthy(it == tags.end() ? nullptr : &*it);
    };
    return node_tags{
        .nofailover = flag("nofailover"),
        .noloadbalance = flag("noloadbalance"),
        .nosync = flag("nosync"),
    };
}

void read_xlog(const nlohmann::json& xlog, node_status& status, std::string& error) {
    json_fields fields(xlog, "xlog.", error);
    status.leader_location = fields.unsigned_integer("location");
    status.received_location = fields.unsigned_integer("received_location");
    status.replayed_location = fields.unsigned_integer("replayed_location");
    status.replay_paused = fields.boolean("paused").value_or(false);
    if (const std::optional<std::string> text = fields.string("replayed_timestamp")) {
        status.replayed_timestamp = parse_patroni_timestamp(*text);
        if (!status.replayed_timestamp && error.empty()) {
            error = "xlog.replayed_timestamp \"" + *text + "\" is not a timestamp";
        }
    }
}

}  // namespace

status_parse parse_patroni_status(std::string_view json) {
    json_object_parse body = parse_json_object(json);
    if (body.outcome != poll_outcome::ok) {
        return {.outcome = body.outcome, .error = std::move(body.error)};
    }

    status_parse parsed;
    std::string& error = parsed.error;
    json_fields fields(body.document, "", error);
    node_status& status = parsed.status;
    status.role = parse_patroni_role(fields.required_string("role"));
    status.state = fields.required_string("state");
    status.timeline = fields.unsigned_integer("timeline");
    status.replication_state = fields.string("replication_state");
    status.cluster_paused = fields.boolean("pause").value_or(false);
    if (const nlohmann::json* xlog = fields.object("xlog")) read_xlog(*xlog, status, error);
    if (const nlohmann::json* tags = fields.object("tags")) status.tags = read_tags(*tags);

    if (!error.empty()) {
        return {.outcome = poll_outcome::unexpected_fields, .error = std::move(error)};
    }
    return parsed;
}

node_role parse_patroni_role(std::string_view role) {
    if (role == "master" || role == "primary") return node_role::leader;
    if (role == "replica") return node_role::replica;
    if (role == "standby_leader") return node_role::standby_leader;
    if (role == "demoted") return node_role::demoted;
    return node_role::unknown;
}

}  // namespace pgroute::health
