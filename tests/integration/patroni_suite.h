// Fixture for a suite whose tests share one Patroni cluster (starting one costs ~20 s): started
// before the suite's first test, torn down after its last. Each test begins on a healthy cluster
// and knows its current leader and replicas.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/patroni_cluster.h"

namespace pgroute::test_support {

// How long a pgroute that has just started may take to route to every node of a healthy cluster.
inline constexpr auto routing_timeout = std::chrono::seconds(30);

class patroni_suite : public testing::Test {
  protected:
    // A suite that needs another kind of cluster hides this with its own, calling start_cluster.
    static void SetUpTestSuite() { start_cluster({}); }
    static void TearDownTestSuite() {
        if (cluster_) {
            EXPECT_NO_THROW(cluster_->down());
        }
        cluster_.reset();
    }

    static void start_cluster(const patroni_cluster_options& options) {
        cluster_ = std::make_unique<patroni_cluster>(options);
    }

    // A suite with more to prepare calls this first and stops on a fatal failure.
    void SetUp() override {
        using namespace std::chrono_literals;
        ASSERT_NE(cluster_, nullptr) << "the Patroni cluster did not start";
        // Generous: a previous test may have just switched over or killed a node.
        cluster().wait_until_healthy(120s);
        leader_ = cluster().wait_for_leader(10s);
        replicas_ = patroni_cluster::others(leader_);
    }

    static const patroni_cluster& cluster() { return *cluster_; }

    std::string leader_;
    std::vector<std::string> replicas_;

  private:
    static inline std::unique_ptr<patroni_cluster> cluster_;
};

}  // namespace pgroute::test_support
