// The topology when roles are given in the config instead of discovered: they never change, so
// one snapshot serves the whole life of the process.
#pragma once

#include <vector>

#include "health/topology/topology_source.h"

namespace pgroute::health {

struct static_node {
    node_address address;
    node_role role = node_role::unknown;  // leader or replica
};

[[nodiscard]] topology_ptr make_static_topology(const std::vector<static_node>& nodes);

class static_source final : public topology_source {
  public:
    explicit static_source(const std::vector<static_node>& nodes)
        : topology_(make_static_topology(nodes)) {}

    [[nodiscard]] std::string_view mode() const override { return "static"; }
    [[nodiscard]] bool changes() const override { return false; }
    [[nodiscard]] topology_ptr initial() const override { return topology_; }
    void start(publish_fn) override {}
    void stop() override {}

  private:
    topology_ptr topology_;
};

}  // namespace pgroute::health
