#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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
        }};
    }
};

http_response post_reload(const admin_fixture& f, reload_probe& probe, bool from_loopback = true) {
    return answer_admin_request({"POST", "/reload", {}}, from_loopback, f.sources, f.history,
                                probe.actions());
}

TEST(admin_routes, PostReloadRunsTheReloadAndSaysHowItWent) {
    const auto f = with_leader();
    reload_probe probe{{true, "configuration reloaded\n"}};
    const auto applied = post_reload(f, probe);
    EXPECT_EQ(applied.status, 200);
    EXPECT_EQ(applied.body, "configuration reloaded\n");
    probe.answer = {false, "pgroute.yaml: threads: changed\n"};
    const auto refused = post_reload(f, probe);
    EXPECT_EQ(refused.status, 400);
    EXPECT_EQ(refused.body, "pgroute.yaml: threads: changed\n");
    EXPECT_EQ(probe.calls, 2);
}

TEST(admin_routes, ReloadIsRefusedToAClientOffLoopbackAndToOtherMethods) {
    const auto f = with_leader();
    reload_probe probe{{true, "reloaded\n"}};
    EXPECT_EQ(post_reload(f, probe, false).status, 403);
    for (const auto* method : {"GET", "HEAD", "PUT"}) {
        const auto r = answer_admin_request({method, "/reload", {}}, true, f.sources, f.history,
                                            probe.actions());
        EXPECT_EQ(r.status, 405) << method;
        EXPECT_EQ(r.allow, "POST") << method;
    }
    EXPECT_EQ(probe.calls, 0);
}

}  // namespace
}  // namespace pgroute::proxy
