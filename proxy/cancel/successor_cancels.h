// The old process's side of an upgrade's cancel channel (see predecessor_cancels.h): each
// CancelRequest the new process passes over is delivered as one that reached this process
// directly, to the node of the session here that holds the key, and logged. Runs until the new
// process closes its end (it exited) or the io_context stops.
#pragma once

#include <asio/io_context.hpp>
#include <chrono>

#include "proxy/cancel/cancel_forwarder.h"

namespace pgroute::proxy {

// `fd`: this process's end of the channel, owned from now on. `paths` and `log` must outlive
// the io_context's run; `timeout` bounds each delivery.
void serve_successor_cancels(asio::io_context& io, int fd, const cancel_paths& paths,
                             std::chrono::milliseconds timeout, const logger& log);

}  // namespace pgroute::proxy
