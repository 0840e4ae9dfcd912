// The pgroute.yaml of a pgroute in front of a patroni_cluster, and the conninfo of its sessions.
#include <string>

#include "tests/support/libpq_conn.h"
#include "tests/support/patroni_cluster.h"

namespace pgroute::test_support {
namespace {

std::string seed_yaml(std::string_view name, std::uint16_t pg_port, std::string_view api_url) {
    return "  - name: " + std::string(name) +
           "\n    host: 127.0.0.1\n    port: " + std::to_string(pg_port) +
           "\n    api_url: " + std::string(api_url) + "\n";
}

}  // namespace

std::string proxied_conninfo(std::uint16_t proxy_port) {
    return loopback_conninfo(proxy_port, patroni_trust_user, patroni_database);
}

std::string patroni_config(const patroni_cluster& cluster, const patroni_proxy_settings& settings) {
    std::string yaml = "threads: " + std::to_string(settings.threads) +
                       "\n"
                       "log_level: debug\n"
                       "endpoints:\n"
                       "  write:\n"
                       "    listen: 127.0.0.1:" +
                       std::to_string(settings.write_port) +
                       "\n"
                       "    route: leader\n"
                       "  read:\n"
                       "    listen: 127.0.0.1:" +
                       std::to_string(settings.read_port) +
                       "\n"
                       "    route: replica\n"
                       "    balance: roundrobin\n"
                       "nodes:\n";
    for (const std::string_view node : patroni_node_names) {
        yaml += seed_yaml(node, cluster.pg_port(node), cluster.api_url(node));
    }
    for (const patroni_seed& seed : settings.extra_seeds) {
        yaml += seed_yaml(seed.name, seed.pg_port, seed.api_url);
    }
    yaml +=
        "patroni:\n"
        "  interval: 500ms\n"
        "  timeout: 500ms\n"
        "  max_lag: " +
        settings.max_lag +
        "\n"
        "  rise: 2\n"
        "  fall: 3\n";
    if (cluster.api_tls()) {
        yaml += "  api_ca_file: " + settings.api_ca_file.value_or(cluster.api_ca_file()).string() +
                "\n  api_username: " + cluster.api_username() +
                "\n  api_password: " + cluster.api_password() + "\n";
        if (settings.api_cert_file)
            yaml += "  api_cert_file: " + settings.api_cert_file->string() + "\n";
        if (settings.api_key_file)
            yaml += "  api_key_file: " + settings.api_key_file->string() + "\n";
    }
    if (settings.hold_timeout) yaml += "limits:\n  hold_timeout: " + *settings.hold_timeout + "\n";
    return yaml;
}

}  // namespace pgroute::test_support
