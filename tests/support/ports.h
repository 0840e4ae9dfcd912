// Loopback TCP ports for servers started by a test: free ones to listen on, and a probe for
// whether something listens yet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pgroute::test_support {

// `count` distinct ports on 127.0.0.1 that nothing was bound to a moment ago. They are picked
// below the kernel's ephemeral range, so outgoing connections never take them in the meantime.
[[nodiscard]] std::vector<std::uint16_t> free_ports(std::size_t count);
[[nodiscard]] std::uint16_t free_port();

// True when a TCP connection to 127.0.0.1:port is accepted.
[[nodiscard]] bool accepts_tcp(std::uint16_t port);

}  // namespace pgroute::test_support
