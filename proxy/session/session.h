// One client connection, start to end: a coroutine whose phases (startup, route and connect,
// carry) are coroutines of their own, the relay run by completion handlers under it, and a
// PostgreSQL ErrorResponse for every way it can fail.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <string>

#include "protocol/startup.h"
#include "proxy/config/config.h"
#include "proxy/session/worker_context.h"

namespace pgroute::proxy {

// `endpoint_index` is the client's endpoint in the endpoints of worker.serving's config.
[[nodiscard]] asio::awaitable<void> run_session(asio::ip::tcp::socket client,
                                                std::size_t endpoint_index, worker_context& worker);

}  // namespace pgroute::proxy
