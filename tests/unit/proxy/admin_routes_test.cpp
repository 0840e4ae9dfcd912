#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "admin_sources_fixture.h"
#include "proxy/admin/routes.h"

namespace pgroute::proxy {
namespace {

using health::node_role;
using testing::admin_fixture;
using testing::make_topology;

http_response get(const admin_fixture& f, std::string_view path, std::string_view method = "GET") {
    return answer_admin_request({method, path, {}}, true, f.sources, f.history, {});
}

admin_fixture with_leader() {
    return admin_fixture(
        make_topology({{"pg1", node_role::leader}, {"pg2", node_role::replica, true}}));
}

TEST(admin_routes, HealthAnswersOkWhateverTheTopology) {
    const admin_fixture f(make_topology({{"pg1", node_role::replica}}));
    const auto r = get(f, "/health");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "ok\n");
}

TEST(admin_routes, ReadyIs200WhileAWriteTargetExists) {
    const auto f = with_leader();
    const auto r = get(f, "/ready");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "ready: write target pg1\n");
}

TEST(admin_routes, ReadyIs503WithoutAWriteTargetAndSaysWhy) {
    const admin_fixture f(make_topology({{"pg1", node_role::replica}}));
    const auto r = get(f, "/ready");
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.body, "not ready: no write target (no running leader)\n");
}

TEST(admin_routes, ReadyFollowsTheLatestHealthRound) {
    auto f = with_leader();
    f.board.publish(
        {std::make_shared<health::topology_snapshot>(make_topology({{"pg1", node_role::replica}})),
         {},
         {},
         {},
         {},
         {}});
    EXPECT_EQ(get(f, "/ready").status, 503);
}

TEST(admin_routes, MetricsUseThePrometheusTextContentType) {
    const auto f = with_leader();
    const auto r = get(f, "/metrics");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_NE(r.body.find("# TYPE pgroute_queries_total counter"), std::string::npos);
}

TEST(admin_routes, TopologyIsJson) {
    const auto f = with_leader();
    const auto r = get(f, "/topology");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(nlohmann::json::parse(r.body).at("write_target"), "pg1");
}

TEST(admin_routes, RootAndStatusServeTheHtmlPage) {
    const auto f = with_leader();
    for (const auto* path : {"/", "/status"}) {
        const auto r = get(f, path);
        EXPECT_EQ(r.status, 200) << path;
        EXPECT_EQ(r.content_type, "text/html; charset=utf-8") << path;
        EXPECT_TRUE(r.body.starts_with("<!DOCTYPE html>")) << path;
    }
}

TEST(admin_routes, HeadIsServedLikeGet) {
    const auto f = with_leader();
    EXPECT_EQ(get(f, "/health", "HEAD").status, 200);
}

TEST(admin_routes, UnknownPathIs404) {
    const auto f = with_leader();
    EXPECT_EQ(get(f, "/metrics/").status, 404);
    EXPECT_EQ(get(f, "/admin").status, 404);
}

TEST(admin_routes, OtherMethodsAre405WithAllow) {
    const auto f = with_leader();
    for (const auto* method : {"POST", "PUT", "DELETE", "get"}) {
        const auto r = get(f, "/metrics", method);
        EXPECT_EQ(r.status, 405) << method;
        EXPECT_EQ(r.allow, "GET, HEAD") << method;
    }
}

// What POST /reload would run, and how often it did.
struct reload_probe {
    reload_report answer;
    int calls = 0;
    admin_actions actions() {
        return {[this] {
                    ++calls;
                    return answer;
                },
                nullptr};
    }
};

http_response post_reload(const admin_fixture& f, reload_probe& probe, bool from_loopback = true) {
    return answer_admin_request({"POST", "/reload", {}}, from_loopback, f.sources, f.history,
                                probe.actions());
}

TEST(admin_routes, PostReloadRunsTheReloadAndSaysHowItWent) {
    const auto f = with_leader();
    reload_probe probe{{reload_outcome::applied, "configuration reloaded\n"}};
    const auto applied = post_reload(f, probe);
    EXPECT_EQ(applied.status, 200);
    EXPECT_EQ(applied.body, "configuration reloaded\n");
    probe.answer = {reload_outcome::new_process, "pgroute.yaml: threads: changed\n"};
    const auto handed = post_reload(f, probe);
    EXPECT_EQ(handed.status, 202);
    EXPECT_EQ(handed.body, "pgroute.yaml: threads: changed\n");
    probe.answer = {reload_outcome::refused, "pgroute.yaml: threads: not a number\n"};
    const auto refused = post_reload(f, probe);
    EXPECT_EQ(refused.status, 400);
    EXPECT_EQ(refused.body, "pgroute.yaml: threads: not a number\n");
    EXPECT_EQ(probe.calls, 3);
}

TEST(admin_routes, ReloadIsRefusedToAClientOffLoopbackAndToOtherMethods) {
    const auto f = with_leader();
    reload_probe probe{{reload_outcome::applied, "reloaded\n"}};
    EXPECT_EQ(post_reload(f, probe, false).status, 403);
    for (const auto* method : {"GET", "HEAD", "PUT"}) {
        const auto r = answer_admin_request({method, "/reload", {}}, true, f.sources, f.history,
                                            probe.actions());
        EXPECT_EQ(r.status, 405) << method;
        EXPECT_EQ(r.allow, "POST") << method;
    }
    EXPECT_EQ(probe.calls, 0);
}

// What POST /drain/NODE and /undrain/NODE would run: the node and the direction asked for.
struct drain_probe {
    std::vector<std::pair<std::string, bool>> calls;
    admin_actions actions() {
        return {nullptr, [this](std::string_view node, bool drain) {
                    calls.emplace_back(node, drain);
                    return drain_report{node == "pg2", "done\n"};
                }};
    }
};

TEST(admin_routes, PostDrainAndUndrainNameTheNodeAndAnUnknownOneIs404) {
    const auto f = with_leader();
    drain_probe probe;
    const auto drained = answer_admin_request({"POST", "/drain/pg2", {}}, true, f.sources,
                                              f.history, probe.actions());
    EXPECT_EQ(drained.status, 200);
    EXPECT_EQ(drained.body, "done\n");
    EXPECT_EQ(answer_admin_request({"POST", "/undrain/pg2", {}}, true, f.sources, f.history,
                                   probe.actions())
                  .status,
              200);
    EXPECT_EQ(answer_admin_request({"POST", "/drain/pg9", {}}, true, f.sources, f.history,
                                   probe.actions())
                  .status,
              404);
    // No name, or a longer path: never asked.
    for (const auto* path : {"/drain/", "/undrain/", "/drain/pg2/x"}) {
        EXPECT_EQ(
            answer_admin_request({"POST", path, {}}, true, f.sources, f.history, probe.actions())
                .status,
            404)
            << path;
    }
    const std::vector<std::pair<std::string, bool>> asked{
        {"pg2", true}, {"pg2", false}, {"pg9", true}};
    EXPECT_EQ(probe.calls, asked);
}

TEST(admin_routes, DrainIsRefusedToAClientOffLoopbackAndToOtherMethods) {
    const auto f = with_leader();
    drain_probe probe;
    EXPECT_EQ(answer_admin_request({"POST", "/drain/pg2", {}}, false, f.sources, f.history,
                                   probe.actions())
                  .status,
              403);
    for (const auto* method : {"GET", "HEAD", "DELETE"}) {
        const auto r = answer_admin_request({method, "/undrain/pg2", {}}, true, f.sources,
                                            f.history, probe.actions());
        EXPECT_EQ(r.status, 405) << method;
        EXPECT_EQ(r.allow, "POST") << method;
    }
    EXPECT_TRUE(probe.calls.empty());
}

}  // namespace
}  // namespace pgroute::proxy
