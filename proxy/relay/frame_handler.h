// The relay's per-message seam: what a session is shown of each frame in one direction, and what
// it decides there (forward, hold, stop, a rewrite in place; a held frame is released or
// replaced). Everything a session does to its traffic (cancel keys, protocol negotiation,
// transaction status, the query clock, cuts) goes through it.
#pragma once

#include <span>

#include "protocol/frame_scanner.h"

namespace pgroute::proxy {

class frame_handler {
  public:
    // True for the types the handler must see whole before deciding; others are shown at their
    // header with what has arrived of their body, and stream on.
    [[nodiscard]] virtual bool wants_body(char type) const = 0;
    // `body` lies in the relay's buffer and has not been forwarded yet: the handler may rewrite
    // it in place. A frame held stays in the buffer, and nothing behind it moves, until the
    // session releases or replaces it (relay_control::release, relay_control::replace).
    [[nodiscard]] virtual protocol::frame_verdict on_frame(const protocol::frame_header& header,
                                                           std::span<char> body) = 0;
    // The frame it held is parked in the buffer, everything before it forwarded: from here (or
    // later, from the session's thread) the session may release or replace it.
    virtual void on_held() {}
    // Asked before the pump waits for a stream: true ends the relay there (a cut ordered while
    // it was busy, which no cancelled wait would report).
    [[nodiscard]] virtual bool stop_due() const = 0;

  protected:
    frame_handler() = default;
    frame_handler(const frame_handler&) = default;
    frame_handler& operator=(const frame_handler&) = default;
    ~frame_handler() = default;
};

}  // namespace pgroute::proxy
