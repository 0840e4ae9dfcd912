// Delivers a client's CancelRequest. The cancel key handed to clients is the node's own
// (BackendKeyData is passed through), so the request goes to every node and only the one that
// issued the key acts on it; the others find no such backend and ignore it.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <span>

#include "health/topology.h"

namespace pgroute::proxy {

[[nodiscard]] asio::awaitable<void> forward_cancel(const health::Topology& topology,
                                                   std::span<const char> packet,
                                                   std::chrono::milliseconds timeout);

}  // namespace pgroute::proxy
