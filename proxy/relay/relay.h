// The data path: two pumps (client→server, server→client) forwarding bytes as they arrive, up to
// the last frame boundary they have seen (a large frame streams through in pieces), each showing
// its frames to the session's frame_handler for that direction, until either side ends or a
// handler stops it. While it runs the session steers it through a relay_control: release a held
// frame (with messages of its own before it) or replace it, move the server side to another
// connection, interrupt.
#pragma once

#include <asio/ip/tcp.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "proxy/metrics/counters.h"
#include "proxy/net/tls_stream.h"
#include "proxy/relay/buffer_pool.h"
#include "proxy/relay/frame_handler.h"
#include "proxy/routing/session_registry.h"

namespace pgroute::proxy {

enum class relay_end {
    client_closed,
    server_closed,
    client_error,
    server_error,
    client_protocol_violation,
    server_protocol_violation,
    stopped,  // a handler's verdict ended it at a frame boundary
    cut,      // never from the relay: the session's reading of an interrupted relay
};

[[nodiscard]] std::string_view to_string(relay_end end);

struct relay_result {
    relay_end end = relay_end::client_closed;
    std::uint64_t bytes_from_client = 0;
    std::uint64_t bytes_from_server = 0;
    // May the proxy still inject an ErrorResponse into the client stream?
    bool client_at_frame_boundary = true;
    // Every byte read from the client reached the server whole: a relay run again (on another
    // server) loses nothing the client sent.
    bool client_input_intact = true;
    // It ended because the session made it: a handler's stop, stop_due, or interrupt().
    bool interrupted = false;
    std::string detail;  // the error or the violated rule, for the log
};

struct relay_limits {
    std::uint32_t max_client_message_length = 0;
};

// Where the relay counts the bytes it reads, as it reads them.
struct relay_meters {
    counter& bytes_from_client;
    counter& bytes_from_server;
};

enum class relay_direction { to_server, to_client };

namespace relay_detail {
// What relay_control reaches in a running relay, whatever its stream types.
class relay_steering {
  public:
    virtual void release(relay_direction direction, std::string injection, bool drop_held) = 0;
    virtual bool rebind_server(asio::ip::tcp::socket& server) = 0;
    virtual bool rebind_server(tls_stream& server) = 0;
    virtual void interrupt() = 0;

  protected:
    relay_steering() = default;
    relay_steering(const relay_steering&) = delete;
    relay_steering& operator=(const relay_steering&) = delete;
    ~relay_steering() = default;
};
}  // namespace relay_detail

// The session's handle on its relay, from the moment it starts until it completes; every
// call is for the session's own thread. Outside that time the calls do nothing.
class relay_control final : public session_interrupt {
  public:
    // Forwards `injection` and then the frame held in `direction` (see frame_handler::on_held).
    void release(relay_direction direction, std::string injection = {}) {
        if (running_) running_->release(direction, std::move(injection), false);
    }
    // Forwards `replacement` instead of the frame held in `direction`, which its handler must
    // have been shown whole (a type it wants_body, within the buffer): how a frame changes length.
    void replace(relay_direction direction, std::string replacement) {
        if (running_) running_->release(direction, std::move(replacement), true);
    }
    // From the next frame on, the server side is `server` (of the type the relay runs with):
    // both pumps must be at a frame boundary with nothing of the old server buffered and no
    // write to it under way. False, and nothing changed, otherwise.
    template <typename ServerStream>
    [[nodiscard]] bool rebind_server(ServerStream& server) {
        return running_ != nullptr && running_->rebind_server(server);
    }
    // Ends the relay now: cancels what the pumps wait for, stops one that holds a frame.
    void interrupt() override {
        if (running_) running_->interrupt();
    }
    [[nodiscard]] bool running() const { return running_ != nullptr; }

  private:
    friend struct relay_control_access;  // relay.cpp: sets running_ while the relay runs
    relay_detail::relay_steering* running_ = nullptr;
};

// Told once, on the session's thread, that its relay ended and how. A callback, not an awaitable:
// while the relay runs the session needs no coroutine frame, which is most of what an idle
// session would otherwise hold.
class relay_completion {
  public:
    virtual void relay_ended(relay_result result) = 0;

  protected:
    relay_completion() = default;
    relay_completion(const relay_completion&) = delete;
    relay_completion& operator=(const relay_completion&) = delete;
    ~relay_completion() = default;
};

// Starts the relay, which owns itself until it tells `done` its result. Every reference must
// outlive that. Defined for each of asio::ip::tcp::socket and tls_stream on either side.
template <typename ClientStream, typename ServerStream>
void start_relay(ClientStream& client, ServerStream& server, frame_handler& from_client,
                 frame_handler& from_server, relay_control& control, buffer_pool& buffers,
                 relay_limits limits, relay_meters meters, relay_completion& done);

}  // namespace pgroute::proxy
