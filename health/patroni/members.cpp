#include "health/patroni/members.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "health/patroni/json_fields.h"

namespace pgroute::health {
namespace {

constexpr std::uint16_t postgresql_default_port = 5432;

// /cluster prints the URL of the status endpoint; seeds name the API's base URL.
std::string api_base_url(std::string url) {
    constexpr std::string_view status_path = "/patroni";
    if (url.ends_with(status_path)) url.resize(url.size() - status_path.size());
    while (url.ends_with('/'))
        url.pop_back();
    return url;
}

cluster_member read_member(const nlohmann::json& entry, std::size_t index, std::string& error) {
    const std::string prefix = "members[" + std::to_string(index) + "].";
    if (!entry.is_object()) {
        error = prefix.substr(0, prefix.size() - 1) + " is " + entry.type_name() +
                ", expected an object";
        return {};
    }
    json_fields fields(entry, prefix, error);
    cluster_member member;
    member.address.name = fields.required_string("name");
    member.address.host = fields.required_string("host");
    member.api_url = api_base_url(fields.required_string("api_url"));
    const std::uint64_t port = fields.unsigned_integer("port").value_or(postgresql_default_port);
    if (port == 0 || port > 65535) {
        if (error.empty()) error = prefix + "port " + std::to_string(port) + " is out of range";
    } else {
        member.address.port = static_cast<std::uint16_t>(port);
    }
    return member;
}

}  // namespace

members_parse parse_cluster_members(std::string_view json) {
    json_object_parse body = parse_json_object(json);
    if (body.outcome != poll_outcome::ok) {
        return {.outcome = body.outcome, .error = std::move(body.error)};
    }
    std::string error;
    json_fields fields(body.document, "", error);
    const nlohmann::json* entries = fields.array("members");
    if (entries == nullptr && error.empty()) error = "missing members";

    members_parse parsed;
    for (std::size_t i = 0; entries != nullptr && i < entries->size() && error.empty(); ++i) {
        parsed.members.push_back(read_member((*entries)[i], i, error));
    }
    if (!error.empty()) {
        return {.outcome = poll_outcome::unexpected_fields, .error = std::move(error)};
    }
    return parsed;
}

std::vector<cluster_member> merge_members(const std::vector<cluster_member>& seeds,
                                          const std::vector<cluster_member>& discovered) {
    std::vector<cluster_member> merged = seeds;
    for (const cluster_member& member : discovered) {
        const bool known = std::any_of(merged.begin(), merged.end(), [&](const cluster_member& m) {
            return m.address.name == member.address.name;
        });
        if (!known) merged.push_back(member);
    }
    return merged;
}

}  // namespace pgroute::health
