#include "tests/support/pgroute_config.h"

namespace pgroute::test_support {
namespace {

std::string node(std::string_view name, std::uint16_t port, std::string_view role) {
    return "  - name: " + std::string(name) +
           "\n"
           "    host: 127.0.0.1\n"
           "    port: " +
           std::to_string(port) +
           "\n"
           "    role: " +
           std::string(role) + "\n";
}

std::string tls_key(std::string_view mode) {
    return mode.empty() ? "" : "    tls: " + std::string(mode) + "\n";
}

}  // namespace

std::string static_config(std::uint16_t primary_port,
                          const std::vector<std::uint16_t>& replica_ports, std::uint16_t write_port,
                          std::uint16_t read_port, std::string_view extra_yaml,
                          endpoint_tls endpoint_tls) {
    std::string yaml =
        "threads: auto\n"
        "log_level: debug\n"
        "endpoints:\n"
        "  write:\n"
        "    listen: 127.0.0.1:" +
        std::to_string(write_port) +
        "\n"
        "    route: leader\n" +
        tls_key(endpoint_tls.write) +
        "  read:\n"
        "    listen: 127.0.0.1:" +
        std::to_string(read_port) +
        "\n"
        "    route: replica\n"
        "    balance: roundrobin\n" +
        tls_key(endpoint_tls.read) + "nodes:\n" + node("primary", primary_port, "primary");
    for (std::size_t i = 0; i < replica_ports.size(); ++i) {
        yaml += node("replica" + std::to_string(i + 1), replica_ports[i], "replica");
    }
    return yaml + std::string(extra_yaml);
}

}  // namespace pgroute::test_support
