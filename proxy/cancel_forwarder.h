// Delivers a client's CancelRequest. Clients hold pgroute's keys, not the nodes' (see
// cancel_keys.h), so the request is translated back and sent only to the node that ran the
// session; a key pgroute never issued, or whose session has ended, is dropped.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <string>

#include "protocol/startup.h"
#include "proxy/cancel_keys.h"

namespace pgroute::proxy {

struct cancel_delivery {
    bool delivered = false;
    std::string detail;  // the node it went to, or why it went nowhere: for the log
};

[[nodiscard]] asio::awaitable<cancel_delivery> forward_cancel(
    const cancel_keys& keys, const protocol::cancel_request& request,
    std::chrono::milliseconds timeout);

}  // namespace pgroute::proxy
