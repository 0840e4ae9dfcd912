// What a pump records about its direction, how a pump tells the relay that runs it that it
// stopped, and which streams it drives by readiness. Internal to proxy/relay.
#pragma once

#include <asio/ip/tcp.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <type_traits>

#include "protocol/frame_scanner.h"
#include "proxy/metrics/counters.h"

namespace pgroute::proxy::relay_detail {

using asio::ip::tcp;

enum class pump_stop {
    source_closed,
    source_error,
    sink_error,
    protocol_violation,
    handler_stop,  // a verdict of the session's handler ended it at a frame boundary
    cancelled,     // the other pump stopped, or the session interrupted the relay
    internal_error
};

struct pump_state {
    pump_state(std::uint32_t max_length, counter& relayed_bytes)
        : scanner(max_length), relayed(relayed_bytes) {}
    protocol::frame_scanner scanner;
    std::uint64_t bytes = 0;
    counter& relayed;        // the metric, bumped per read rather than at the end of the session
    bool mid_write = false;  // a write was interrupted: the sink may hold half a frame
    std::size_t unforwarded = 0;    // bytes read from the source and not forwarded when it stopped
    std::optional<pump_stop> stop;  // set once the pump has stopped
    std::error_code error;
    protocol::frame_error frame_error = protocol::frame_error::none;
    std::string failure;  // what an internal error said
    [[nodiscard]] bool stopped() const { return stop.has_value(); }
};

// On epoll a readiness wait is a flag in the reactor, so a plain socket is best served by
// non-blocking calls and a wait only when the kernel has nothing (or no room). On io_uring a
// wait is a POLL_ADD of its own followed by a system call for the read; giving the ring the read
// and the write (RECV, SEND) instead measured 7-9% more TPS and 10% less CPU per transaction
// (pgbench -S -c 32, 3 interleaved rounds), at the price of a buffer held by every waiting pump
// (13.5 instead of 4.6 KiB per idle session, RSS growth over 250 sessions).
#if defined(ASIO_HAS_IO_URING) && defined(ASIO_DISABLE_EPOLL)
constexpr bool readiness_backend = false;
#else
constexpr bool readiness_backend = true;
#endif

template <typename Stream>
constexpr bool uses_readiness() {
    return readiness_backend && std::is_same_v<Stream, tcp::socket>;
}

inline bool would_block(const std::error_code& ec) {
    return ec == asio::error::would_block || ec == asio::error::try_again;
}

// What a pump tells the relay that runs it.
class pump_owner {
  public:
    // Set once either pump has stopped: the other stops at its next step.
    [[nodiscard]] virtual bool stopping() const = 0;
    virtual void pump_stopped() = 0;

  protected:
    pump_owner() = default;
    pump_owner(const pump_owner&) = delete;
    pump_owner& operator=(const pump_owner&) = delete;
    ~pump_owner() = default;
};

}  // namespace pgroute::proxy::relay_detail
