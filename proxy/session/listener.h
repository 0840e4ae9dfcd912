// Accepts clients on one endpoint and starts a session coroutine for each, enforcing the
// process-wide connection limit.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "proxy/config/config.h"
#include "proxy/session/worker_context.h"

namespace pgroute::proxy {

// Opens a listening socket with SO_REUSEPORT so every worker thread can own one on the same
// address and the kernel spreads connections across them. Throws std::system_error on failure.
[[nodiscard]] asio::ip::tcp::acceptor open_listener(asio::io_context& io, const listen_address& at);

// SO_REUSEPORT also lets this process join a port that another one (a second pgroute, or anything
// else of the same user) already listens on, and the kernel would then split the clients between
// the two without a word. A bind without it fails in that case, so the first worker binds each
// address that way once, and lets go of it, before opening its listener. Throws std::system_error
// (EADDRINUSE) when the address is taken.
void check_address_is_free(asio::io_context& io, const listen_address& at);

// A listening socket this process inherited (an upgrade's handover), taken over as it is.
[[nodiscard]] asio::ip::tcp::acceptor adopt_listener(asio::io_context& io, int fd);

// Whether `fd` is a TCP socket bound to `at` (an inherited one is matched to its endpoint so).
[[nodiscard]] bool bound_to(int fd, const listen_address& at);

// `endpoint_index` is the endpoint `acceptor` listens for, in the endpoints of every generation's
// config (a reload keeps them).
[[nodiscard]] asio::awaitable<void> accept_clients(asio::ip::tcp::acceptor& acceptor,
                                                   std::size_t endpoint_index,
                                                   worker_context& worker);

}  // namespace pgroute::proxy
