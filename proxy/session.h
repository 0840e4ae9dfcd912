// One client connection, start to end, as a single coroutine: startup, route, connect, relay,
// and a PostgreSQL ErrorResponse for every way it can fail.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <string>

#include "protocol/startup.h"
#include "proxy/config.h"
#include "proxy/worker_context.h"

namespace pgroute::proxy {

[[nodiscard]] asio::awaitable<void> run_session(asio::ip::tcp::socket client,
                                                const endpoint_config& endpoint,
                                                worker_context& worker);

// A connection that opened with a CancelRequest: forwards it and logs one line as `who`.
[[nodiscard]] asio::awaitable<void> serve_cancel_request(const worker_context& worker,
                                                         const protocol::cancel_request& request,
                                                         const std::string& who);

}  // namespace pgroute::proxy
