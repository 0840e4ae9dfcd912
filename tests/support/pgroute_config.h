// pgroute.yaml texts for tests, so that each test states only what differs from the usual.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pgroute::test_support {

// The `tls:` key of each endpoint static_config writes ("disable", "allow" or "require"); empty
// leaves the key out, so that pgroute's default applies.
struct endpoint_tls {
    std::string_view write;
    std::string_view read;
};

// Static mode (no Patroni): node "primary" on `primary_port` with role primary, nodes
// "replica1", "replica2", ... with role replica; endpoint "write" (route leader) on `write_port`
// and "read" (route replica, roundrobin) on `read_port`, both on 127.0.0.1; log_level debug.
// `extra_yaml` is appended as further top-level sections (limits:, admin:, tls:, ...).
[[nodiscard]] std::string static_config(std::uint16_t primary_port,
                                        const std::vector<std::uint16_t>& replica_ports,
                                        std::uint16_t write_port, std::uint16_t read_port,
                                        std::string_view extra_yaml = {},
                                        endpoint_tls endpoint_tls = {});

}  // namespace pgroute::test_support
