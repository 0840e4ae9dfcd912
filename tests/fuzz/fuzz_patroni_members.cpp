// libFuzzer target: the parser of GET /cluster on arbitrary bytes, then the merge of what it found
// with seeds. Nothing may crash or throw; malformed_json is exactly what is not JSON; an accepted
// answer yields one member per entry, each named, placed and with a usable port; and the merge
// keeps every seed first, then each other name once.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "health/patroni/members.h"
#include "tests/fuzz/invariant.h"
#include "tests/fuzz/patroni_invariants.h"

namespace {

using namespace pgroute::health;
using nlohmann::json;
using pgroute::fuzz::require;

void check_members(const std::vector<cluster_member>& members, const json& entries) {
    require(members.size() == entries.size(), "one member per entry of members");
    for (std::size_t i = 0; i < members.size(); ++i) {
        const cluster_member& member = members[i];
        require(member.address.name == entries[i].at("name").get<std::string>() &&
                    member.address.host == entries[i].at("host").get<std::string>(),
                "name and host are the entry's");
        require(member.address.port >= 1, "every member has a port");
        require(!member.api_url.ends_with('/'), "the API base URL has no trailing '/'");
    }
}

void check_merge(const std::vector<cluster_member>& seeds,
                 const std::vector<cluster_member>& discovered) {
    const std::vector<cluster_member> merged = merge_members(seeds, discovered);
    require(merged.size() >= seeds.size() && std::equal(seeds.begin(), seeds.end(), merged.begin()),
            "the seeds come first, as configured");
    std::set<std::string> names;
    for (const cluster_member& seed : seeds)
        names.insert(seed.address.name);
    for (std::size_t i = seeds.size(); i < merged.size(); ++i) {
        require(names.insert(merged[i].address.name).second,
                "a discovered member joins once, and only if no seed has its name");
        require(std::find(discovered.begin(), discovered.end(), merged[i]) != discovered.end(),
                "what joins the seeds was discovered");
    }
    for (const cluster_member& member : discovered) {
        require(names.contains(member.address.name), "every discovered name is polled");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    const members_parse parsed = parse_cluster_members(body);
    pgroute::fuzz::check_json_outcome(parsed.outcome, parsed.error, body);
    if (parsed.outcome != poll_outcome::ok) {
        require(parsed.members.empty(), "a rejected answer lists no members");
        return 0;
    }
    check_members(parsed.members, json::parse(body).at("members"));
    // Seeds drawn from the answer itself, so names collide between the two lists.
    const std::size_t half = parsed.members.size() / 2;
    check_merge({parsed.members.begin(), parsed.members.begin() + half}, parsed.members);
    return 0;
}
