// Builds topology snapshots for routing tests in one line each.
#pragma once

#include <initializer_list>
#include <string>

#include "health/topology/snapshot.h"

namespace pgroute::proxy::testing {

struct node_spec {
    std::string name;
    health::node_role role;
    bool readable = false;
    bool up = true;
};

inline health::topology_snapshot make_topology(std::initializer_list<node_spec> specs) {
    health::topology_snapshot t;
    t.generation = 1;
    std::uint16_t port = 5432;
    for (const auto& spec : specs) {
        health::node_view v;
        v.address = {spec.name, "127.0.0.1", port++};
        v.role = spec.role;
        v.up = spec.up;
        v.readable = spec.readable;
        if (!spec.readable && spec.role == health::node_role::replica) {
            v.not_readable_reason = "lag 2000000 bytes > max_lag 1048576";
        }
        if (spec.readable) t.readable.push_back(t.nodes.size());
        if (spec.role == health::node_role::leader) t.write_target = t.nodes.size();
        t.nodes.push_back(v);
    }
    if (!t.write_target) t.no_write_target_reason = "no running leader";
    return t;
}

}  // namespace pgroute::proxy::testing
