// libFuzzer target: the config loader on arbitrary pgroute.yaml text. Nothing may crash or throw
// (a bad file is a list of problems, for `pgroute --check`), every problem says what is wrong, and
// a config reported ok holds everything the rest of pgroute relies on without checking again.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <utility>

#include "health/patroni/http_url.h"
#include "proxy/config/config_loader.h"
#include "tests/fuzz/invariant.h"

namespace {

using namespace pgroute::proxy;
using pgroute::fuzz::require;
using pgroute::health::node_role;

void check_listen(const listen_address& listen, std::set<std::pair<std::string, int>>& used) {
    require(!listen.host.empty() && listen.port != 0, "a listen address has a host and a port");
    require(used.insert({listen.host, listen.port}).second, "no two listeners share an address");
}

void check_nodes(const config& cfg) {
    require(!cfg.nodes.empty(), "there is at least one node");
    std::set<std::string> names;
    int leaders = 0;
    for (const node_config& node : cfg.nodes) {
        require(!node.address.name.empty() && !node.address.host.empty() && node.address.port != 0,
                "a node has a name, a host and a port");
        require(names.insert(node.address.name).second, "node names are unique");
        if (cfg.patroni) {
            require(pgroute::health::parse_http_url(node.api_url).has_value(),
                    "in Patroni mode every node has an api_url the monitor can poll");
        } else {
            require(node.static_role == node_role::leader || node.static_role == node_role::replica,
                    "in static mode every node is a primary or a replica");
            leaders += node.static_role == node_role::leader;
        }
    }
    require(leaders <= 1, "at most one static primary");
}

void check_accepted(const config& cfg) {
    require(cfg.threads <= 256, "threads is auto (0) or 1 to 256");
    require(!cfg.endpoints.empty(), "there is at least one endpoint");
    std::set<std::pair<std::string, int>> listens;
    for (const endpoint_config& endpoint : cfg.endpoints) {
        check_listen(endpoint.listen, listens);
        require(endpoint.tls == client_tls_mode::disable || cfg.tls,
                "an endpoint offers TLS only with a certificate");
    }
    if (cfg.admin) check_listen(cfg.admin->listen, listens);
    check_nodes(cfg);
    if (cfg.tls) {
        require(!cfg.tls->cert_file.empty() && !cfg.tls->key_file.empty(),
                "TLS has a certificate and its key");
    }
    require(cfg.server_tls.mode != server_tls_mode::verify_full || !cfg.server_tls.ca_file.empty(),
            "verify-full has a CA");
    if (cfg.patroni) {
        const auto& timing = cfg.patroni->timing;
        require(timing.interval.count() >= 10 && timing.fast_interval.count() >= 10 &&
                    timing.timeout.count() >= 10,
                "Patroni's intervals and timeout are at least 10ms");
        const auto& rules = cfg.patroni->rules;
        require(rules.rise >= 1 && rules.rise <= 100 && rules.fall >= 1 && rules.fall <= 100,
                "rise and fall are 1 to 100");
    }
    const limits_config& limits = cfg.limits;
    require(limits.max_message_length >= 1024 && limits.max_message_length <= 1u << 30,
            "max_message_length is 1kB to 1GB");
    require(limits.max_startup_packet_length >= 64 && limits.max_startup_packet_length <= 1u << 20,
            "max_startup_packet_length is 64B to 1MB");
    require(limits.buffer_size >= 1024 && limits.buffer_size <= 1u << 24,
            "buffer_size is 1kB to 16MB");
    require(limits.max_client_connections >= 1 && limits.max_client_connections <= 1'000'000,
            "max_client_connections is 1 to 1000000");
    require(limits.startup_timeout.count() >= 0 && limits.connect_timeout.count() >= 0 &&
                limits.hold_timeout.count() >= 0,
            "timeouts are not negative");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const config_result result =
        parse_config(std::string(reinterpret_cast<const char*>(data), size));
    for (const config_problem& problem : result.problems) {
        require(!problem.message.empty(), "every problem says what is wrong");
    }
    if (result.ok()) check_accepted(result.cfg);
    return 0;
}
