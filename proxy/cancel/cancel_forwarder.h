// Delivers a client's CancelRequest. Clients hold pgroute's keys, not the nodes' (see
// cancel_keys.h), so the request is translated back and sent only to the node that ran the
// session; a key pgroute never issued, or whose session has ended, is dropped. After an upgrade,
// a key this process does not hold goes to the old process, whose sessions finish there. With
// peering, a key another instance issued is sent on to that instance, which delivers it.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <string>

#include "protocol/startup.h"
#include "proxy/cancel/cancel_keys.h"
#include "proxy/cancel/predecessor_cancels.h"
#include "proxy/config/config.h"
#include "proxy/log/logger.h"
#include "proxy/metrics/counters.h"

namespace pgroute::proxy {

struct cancel_delivery {
    cancel_outcome outcome = cancel_outcome::unknown_key;
    std::string detail;  // where it went, or why it went nowhere: for the log
};

// Where a CancelRequest can go: the sessions of this process, those of the process it upgraded
// from (which finish there), and the peers.
struct cancel_paths {
    const cancel_keys& keys;
    predecessor_cancels& predecessor;
    const peering_config* peering;  // null without a peering section
};

[[nodiscard]] asio::awaitable<cancel_delivery> forward_cancel(
    const cancel_paths& paths, const protocol::cancel_request& request,
    std::chrono::milliseconds timeout);

// What a connection that opened with a CancelRequest gets: the request forwarded, its outcome
// counted in `counters` and one log line as `who`.
[[nodiscard]] asio::awaitable<void> serve_cancel_request(const cancel_paths& paths,
                                                         const protocol::cancel_request& request,
                                                         std::chrono::milliseconds timeout,
                                                         endpoint_counters& counters,
                                                         const logger& log, const std::string& who);

// The log line of a delivery: info when it went somewhere, a warning when it was dropped.
void log_cancel_delivery(const logger& log, const std::string& who,
                         const protocol::cancel_request& request, const cancel_delivery& delivery);

}  // namespace pgroute::proxy
