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

Member read_member(const nlohmann::json& entry, std::size_t index, std::string& error) {
    const std::string prefix = "members[" + std::to_string(index) + "].";
    if (!entry.is_object()) {
        error = prefix.substr(0, prefix.size() - 1) + " is " + entry.type_name() +
                ", expected an object";
        return {};
    }
    JsonFields fields(entry, prefix, error);
    Member member;
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

MembersParse parse_cluster_members(std::string_view json) {
    const nlohmann::json document =
        nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
    if (document.is_discarded()) {
        return {.outcome = PollOutcome::malformed_json, .error = "body is not valid JSON"};
    }
    if (!document.is_object()) {
        return {.outcome = PollOutcome::unexpected_fields,
                .error =
                    std::string("body is a JSON ") + document.type_name() + ", expected an object"};
    }
    std::string error;
    JsonFields fields(document, "", error);
    const nlohmann::json* entries = fields.array("members");
    if (entries == nullptr && error.empty()) error = "missing members";

    MembersParse parsed;
    for (std::size_t i = 0; entries != nullptr && i < entries->size() && error.empty(); ++i) {
        parsed.members.push_back(read_member((*entries)[i], i, error));
    }
    if (!error.empty()) {
        return {.outcome = PollOutcome::unexpected_fields, .error = std::move(error)};
    }
    return parsed;
}

std::vector<Member> merge_members(const std::vector<Member>& seeds,
                                  const std::vector<Member>& discovered) {
    std::vector<Member> merged = seeds;
    for (const Member& member : discovered) {
        const bool known = std::any_of(merged.begin(), merged.end(), [&](const Member& m) {
            return m.address.name == member.address.name;
        });
        if (!known) merged.push_back(member);
    }
    return merged;
}

}  // namespace pgroute::health
