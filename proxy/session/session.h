// One client connection, start to end: a coroutine whose phases (startup, route and connect)
// are coroutines of their own, then relay rounds run by completion handlers with no coroutine
// under them (carry_session), and a PostgreSQL ErrorResponse for every way it can fail.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <exception>
#include <string>

#include "protocol/startup.h"
#include "proxy/config/config.h"
#include "proxy/session/session_admission.h"
#include "proxy/session/worker_context.h"

namespace pgroute::proxy {

// The completion of a session's coroutines: an exception that escaped one ends its session, and
// this logs it.
struct session_failure_log {
    const logger& log;
    void operator()(const std::exception_ptr& failure) const;
};

// `endpoint_index` is the client's endpoint in the endpoints of worker.serving's config.
[[nodiscard]] asio::awaitable<void> run_session(asio::ip::tcp::socket client,
                                                std::size_t endpoint_index, worker_context& worker,
                                                admitted_session admitted);

}  // namespace pgroute::proxy
