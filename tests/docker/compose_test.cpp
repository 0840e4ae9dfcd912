// docker/docker-compose.yml is the seeds' stack with pgroute where haproxy was: the same host
// ports and network, and conf/pgroute-seeds.yaml (the image's config) pointing at its nodes.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace {

const std::string source_dir = PGROUTE_SOURCE_DIR;

YAML::Node compose() {
    return YAML::LoadFile(source_dir + "/docker/docker-compose.yml");
}

// "${VAR:-5551}:5551" as compose reads it with VAR unset: "5551:5551".
std::string with_defaults(std::string text) {
    for (auto open = text.find("${"); open != std::string::npos; open = text.find("${")) {
        const auto close = text.find('}', open);
        const auto dash = text.find(":-", open);
        const std::string fallback =
            dash < close ? text.substr(dash + 2, close - dash - 2) : std::string();
        text.replace(open, close - open + 1, fallback);
    }
    return text;
}

std::set<std::string> sequence(const YAML::Node& node) {
    std::set<std::string> items;
    for (const auto& item : node)
        items.insert(with_defaults(item.as<std::string>()));
    return items;
}

std::string port_of(const std::string& host_port) {
    return host_port.substr(host_port.rfind(':') + 1);
}

TEST(docker_compose, has_the_seeds_services_and_no_haproxy) {
    const auto services = compose()["services"];
    for (const char* name : {"etcd1", "etcd2", "db1", "db2", "db3", "db4", "barman", "pgroute"}) {
        EXPECT_TRUE(services[name].IsMap()) << name;
    }
    EXPECT_FALSE(services["haproxy"].IsDefined());
}

TEST(docker_compose, pgroute_publishes_haproxys_ports_unchanged) {
    EXPECT_EQ(sequence(compose()["services"]["pgroute"]["ports"]),
              (std::set<std::string>{"5551:5551", "5552:5552", "5553:5553"}));
}

TEST(docker_compose, pgroute_is_on_every_network_the_nodes_are_on) {
    const auto services = compose()["services"];
    const auto pgroute_networks = sequence(services["pgroute"]["networks"]);
    EXPECT_EQ(pgroute_networks, std::set<std::string>{"patroni_network"});
    for (const char* db : {"db1", "db2", "db3", "db4"}) {
        EXPECT_EQ(sequence(services[db]["networks"]), pgroute_networks) << db;
    }
}

TEST(docker_compose, pgroute_reads_its_config_where_the_image_expects_it) {
    const auto volumes = sequence(compose()["services"]["pgroute"]["volumes"]);
    EXPECT_TRUE(std::any_of(volumes.begin(), volumes.end(), [](const std::string& v) {
        return v.find(":/etc/pgroute/pgroute.yaml") != std::string::npos;
    }));
}

// The nodes publish PostgreSQL's 5431 and Patroni's 8001 inside the network, which is what
// conf/pgroute-seeds.yaml (the image's default config) connects to, by service name.
TEST(docker_compose, seeds_config_names_the_compose_nodes_and_their_ports) {
    const auto services = compose()["services"];
    const auto config = YAML::LoadFile(source_dir + "/conf/pgroute-seeds.yaml");
    std::vector<std::string> names;
    for (const auto& node : config["nodes"]) {
        const auto name = node["name"].as<std::string>();
        names.push_back(name);
        EXPECT_EQ(node["host"].as<std::string>(), name);
        const auto ports = sequence(services[name]["ports"]);
        const auto port = node["port"].as<std::string>();
        EXPECT_TRUE(std::any_of(ports.begin(), ports.end(),
                                [&](const std::string& p) { return port_of(p) == port; }))
            << name << " publishes no " << port;
        EXPECT_EQ(node["api_url"].as<std::string>(), "http://" + name + ":8001");
    }
    EXPECT_EQ(names, (std::vector<std::string>{"db1", "db2", "db3", "db4"}));
}

TEST(docker_compose, seeds_config_listens_on_the_ports_compose_publishes) {
    const auto config = YAML::LoadFile(source_dir + "/conf/pgroute-seeds.yaml");
    std::set<std::string> listened{port_of(config["admin"]["listen"].as<std::string>())};
    for (const auto& endpoint : config["endpoints"]) {
        listened.insert(port_of(endpoint.second["listen"].as<std::string>()));
    }
    std::set<std::string> published;
    for (const auto& mapping : sequence(compose()["services"]["pgroute"]["ports"])) {
        published.insert(port_of(mapping));
    }
    EXPECT_EQ(listened, published);
}

}  // namespace
