// The topology when roles are given in the config instead of discovered: they never change, so
// one snapshot serves the whole life of the process.
#pragma once

#include <vector>

#include "health/topology/topology_source.h"

namespace pgroute::health {

struct StaticNode {
    NodeAddress address;
    NodeRole role = NodeRole::unknown;  // leader or replica
};

[[nodiscard]] TopologyPtr make_static_topology(const std::vector<StaticNode>& nodes);

class StaticSource final : public TopologySource {
  public:
    explicit StaticSource(const std::vector<StaticNode>& nodes)
        : topology_(make_static_topology(nodes)) {}

    [[nodiscard]] std::string_view mode() const override { return "static"; }
    [[nodiscard]] TopologyPtr initial() const override { return topology_; }
    void start(PublishFn) override {}
    void stop() override {}

  private:
    TopologyPtr topology_;
};

}  // namespace pgroute::health
