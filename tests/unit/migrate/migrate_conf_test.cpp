// conf/: the seeds' stack and the minimal config load, and the seeds' one is what migrate-haproxy
// writes for that stack's haproxy.cfg.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "proxy/config/config_loader.h"
#include "tests/unit/migrate/haproxy_seeds.h"
#include "tests/unit/migrate/migrate_fixture.h"

namespace pgroute::test {
namespace {

std::string read_conf(const std::string& name) {
    std::ifstream in(std::string(PGROUTE_SOURCE_DIR) + "/conf/" + name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The file without its leading comment block, which says where it comes from.
std::string without_header(const std::string& text) {
    const auto end = text.find("\n# pgroute.yaml written by");
    return end == std::string::npos ? text : text.substr(end + 1);
}

TEST(migrate_conf, seeds_config_is_the_migration_of_the_seeds_haproxy_cfg) {
    const migrated out = migrate_and_load(seed_000_001_haproxy_cfg);
    EXPECT_EQ(without_header(read_conf("pgroute-seeds.yaml")), out.yaml)
        << "regenerate: pgroute migrate-haproxy on tests/unit/migrate/haproxy_seeds.h's "
           "seed_000_001_haproxy_cfg, below conf/pgroute-seeds.yaml's first comment block";
}

TEST(migrate_conf, every_config_in_conf_loads) {
    for (const char* name : {"pgroute.yaml", "pgroute-seeds.yaml", "pgroute-minimal.yaml"}) {
        const auto loaded =
            proxy::load_config_file(std::string(PGROUTE_SOURCE_DIR) + "/conf/" + name);
        for (const auto& problem : loaded.problems) {
            ADD_FAILURE() << name << ": " << problem.key << ": " << problem.message;
        }
        EXPECT_TRUE(loaded.cfg.patroni) << name;
    }
}

TEST(migrate_conf, seeds_config_is_the_seeds_stack) {
    const auto loaded =
        proxy::load_config_file(std::string(PGROUTE_SOURCE_DIR) + "/conf/pgroute-seeds.yaml");
    ASSERT_EQ(loaded.cfg.nodes.size(), 4u);
    EXPECT_EQ(loaded.cfg.nodes[0].address.name, "db1");
    EXPECT_EQ(loaded.cfg.nodes[0].api_url, "http://db1:8001");
    ASSERT_EQ(loaded.cfg.endpoints.size(), 2u);
    EXPECT_EQ(loaded.cfg.endpoints[0].listen.port, 5551);
    EXPECT_EQ(loaded.cfg.endpoints[1].listen.port, 5552);
    ASSERT_TRUE(loaded.cfg.admin);
    EXPECT_EQ(loaded.cfg.admin->listen.port, 5553);
}

}  // namespace
}  // namespace pgroute::test
