#include "proxy/migrate/health_check.h"

#include <array>
#include <utility>

#include "proxy/config/quantity.h"
#include "proxy/migrate/haproxy_values.h"

namespace pgroute::proxy::migrate {
namespace {

using health::parse_failure;

// Patroni's REST API answers GET, HEAD and OPTIONS alike on its health endpoints; "/" is
// /primary (api.py's do_GET).
constexpr std::array leader_paths{"/", "/master", "/primary", "/leader", "/read-write"};
constexpr std::array read_any_paths{"/read-only", "/health"};

bool one_of(std::string_view path, const auto& paths) {
    for (const std::string_view candidate : paths) {
        if (candidate == path) return true;
    }
    return false;
}

}  // namespace

health::parsed<check_meaning> interpret_check(std::string_view method, std::string_view uri) {
    if (method != "GET" && method != "HEAD" && method != "OPTIONS") {
        return parse_failure{"Patroni's health endpoints answer GET and OPTIONS, not " +
                             std::string(method)};
    }
    const check_uri parsed = parse_check_uri(uri);
    check_meaning meaning;
    if (one_of(parsed.path, leader_paths)) {
        meaning.route = route_kind::leader;
    } else if (parsed.path == "/replica") {
        meaning.route = route_kind::replica;
    } else if (one_of(parsed.path, read_any_paths)) {
        meaning.route = route_kind::replica;
        meaning.fallback_to_leader = true;
        meaning.caveats.push_back(
            parsed.path +
            " passes the leader too: pgroute sends reads to replicas and to the "
            "leader only when no replica is readable (fallback_to_leader)");
    } else {
        return parse_failure{"Patroni's " + parsed.path +
                             " has no pgroute equivalent: pgroute routes to the leader (/primary) "
                             "or to replicas (/replica, /read-only)"};
    }
    for (const auto& [key, value] : parsed.query) {
        if (key == "lag" && meaning.route == route_kind::replica) {
            const auto bytes = parse_size(value);
            if (!bytes) {
                return parse_failure{"?lag=" + value + ": " + bytes.error()};
            }
            meaning.max_lag = *bytes;
        } else {
            std::string caveat = "?" + key;
            caveat += "=";
            caveat += value;
            caveat += " has no equivalent: ";
            caveat += key == "lag"              ? "a leader has no lag"
                      : key.starts_with("tag_") ? "pgroute honours only the noloadbalance tag"
                                                : "pgroute reads replicas that are running within "
                                                  "patroni.max_lag";
            meaning.caveats.push_back(std::move(caveat));
        }
    }
    return meaning;
}

}  // namespace pgroute::proxy::migrate
