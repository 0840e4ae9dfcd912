// The data path: two pumps (client→server, server→client) forwarding bytes as they arrive, up to
// the last frame boundary they have seen (a large frame streams through in pieces), holding back
// whole only the few small messages the proxy reads or rewrites, until either side ends.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <cstdint>
#include <string_view>

#include "protocol/backend_message.h"
#include "proxy/cancel/cancel_keys.h"
#include "proxy/metrics/counters.h"
#include "proxy/net/tls_stream.h"
#include "proxy/relay/buffer_pool.h"
#include "proxy/routing/session_registry.h"

namespace pgroute::proxy {

enum class relay_end {
    client_closed,
    server_closed,
    client_error,
    server_error,
    client_protocol_violation,
    server_protocol_violation,
    cut,
};

[[nodiscard]] std::string_view to_string(relay_end end);

struct relay_result {
    relay_end end = relay_end::client_closed;
    std::uint64_t bytes_from_client = 0;
    std::uint64_t bytes_from_server = 0;
    // May the proxy still inject an ErrorResponse into the client stream?
    bool client_at_frame_boundary = true;
    bool client_sent_terminate = false;    // a server closing after this is not news to the client
    bool server_ended_with_error = false;  // its last frame was an ErrorResponse: it spoke itself
    std::string detail;                    // the error or the violated rule, for the log
};

struct relay_limits {
    std::uint32_t max_client_message_length = 0;
};

// Counts bytes, queries, transactions and query durations into `counters` as it goes, and hands
// the client `cancel_key`'s key in place of the node's.
// Defined for each of asio::ip::tcp::socket and tls_stream on either side.
template <typename ClientStream, typename ServerStream>
[[nodiscard]] asio::awaitable<relay_result> relay(ClientStream& client, ServerStream& server,
                                                  session_control& control,
                                                  cancel_key_swap& cancel_key, buffer_pool& buffers,
                                                  relay_limits limits, route_counters& counters);

}  // namespace pgroute::proxy
