// One client connection, start to end, as a single coroutine: startup, route, connect, relay,
// and a PostgreSQL ErrorResponse for every way it can fail.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "proxy/config.h"
#include "proxy/worker_context.h"

namespace pgroute::proxy {

[[nodiscard]] asio::awaitable<void> run_session(asio::ip::tcp::socket client,
                                                const endpoint_config& endpoint,
                                                worker_context& worker);

}  // namespace pgroute::proxy
