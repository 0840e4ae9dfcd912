#include "proxy/relay/relay.h"

#include <asio/post.hpp>
#include <limits>
#include <memory>
#include <string>

#include "proxy/relay/pump.h"

namespace pgroute::proxy {

struct relay_control_access {
    static void attach(relay_control& control, relay_detail::relay_steering* steering) {
        control.running_ = steering;
    }
};

namespace {

using asio::ip::tcp;
using relay_detail::pump;
using relay_detail::pump_owner;
using relay_detail::pump_state;
using relay_detail::pump_stop;

relay_end classify(bool client_to_server, pump_stop stop) {
    switch (stop) {
        case pump_stop::source_closed:
            return client_to_server ? relay_end::client_closed : relay_end::server_closed;
        case pump_stop::source_error:
        case pump_stop::cancelled:
        case pump_stop::internal_error:
            return client_to_server ? relay_end::client_error : relay_end::server_error;
        case pump_stop::sink_error:
            return client_to_server ? relay_end::server_error : relay_end::client_error;
        case pump_stop::protocol_violation:
            return client_to_server ? relay_end::client_protocol_violation
                                    : relay_end::server_protocol_violation;
        case pump_stop::handler_stop:
            return relay_end::stopped;
    }
    return relay_end::server_error;
}

// One session's relay: both pumps, on the heap for as long as either runs. The first pump to
// stop decides how the relay ended and interrupts the other; the session's handler gets the
// result once both have stopped.
template <typename ClientStream, typename ServerStream>
class relay_operation final : pump_owner, relay_detail::relay_steering {
  public:
    relay_operation(ClientStream& client, ServerStream& server, frame_handler& from_client,
                    frame_handler& from_server, relay_control& control, buffer_pool& buffers,
                    relay_limits limits, relay_meters meters, relay_completion& done)
        : client_(client),
          server_(&server),
          control_(control),
          upstream_(limits.max_client_message_length, meters.bytes_from_client),
          // The server is trusted with any length it can express; only impossible lengths stop it.
          downstream_(std::numeric_limits<std::uint32_t>::max(), meters.bytes_from_server),
          up_pump_(client, server, buffers, upstream_, from_client, *this),
          down_pump_(server, client, buffers, downstream_, from_server, *this),
          done_(done) {}

    // Owns itself from here until it tells `done` its result.
    void start() {
        relay_control_access::attach(control_, this);
        up_pump_.run();
        down_pump_.run();
    }

  private:
    [[nodiscard]] bool stopping() const override { return first_stopped_ != nullptr; }

    void pump_stopped() override {
        if (first_stopped_ == nullptr) {
            first_stopped_ = upstream_.stopped() ? &upstream_ : &downstream_;
            stop_both();
        }
        if (!upstream_.stopped() || !downstream_.stopped() || completing_) return;
        completing_ = true;
        relay_control_access::attach(control_, nullptr);
        // Not from inside the pump that just stopped: it returns through frames of its own.
        asio::post(client_.get_executor(), [self = std::unique_ptr<relay_operation>(
                                                this)]() mutable { complete(std::move(self)); });
    }

    // Cancels whatever the pumps wait for, read or write, and stops one that holds a frame
    // (it waits for nothing a cancel reaches).
    void stop_both() {
        std::error_code ignored;
        client_.lowest_layer().cancel(ignored);
        server_->lowest_layer().cancel(ignored);
        up_pump_.abandon();
        down_pump_.abandon();
    }

    void release(relay_direction direction, std::string injection, bool drop_held) override {
        if (direction == relay_direction::to_server) {
            up_pump_.release(std::move(injection), drop_held);
        } else {
            down_pump_.release(std::move(injection), drop_held);
        }
    }

    bool rebind_server(tcp::socket& server) override { return rebind(server); }
    bool rebind_server(tls_stream& server) override { return rebind(server); }

    template <typename Stream>
    bool rebind(Stream& next) {
        if constexpr (std::is_same_v<Stream, ServerStream>) {
            // The sink first: it refuses while a write is under way, and then nothing changed.
            if (stopping() || !up_pump_.rebind_sink(next)) return false;
            if (!down_pump_.rebind_source(next)) {
                static_cast<void>(up_pump_.rebind_sink(*server_));
                return false;
            }
            server_ = &next;
            return true;
        } else {
            return false;
        }
    }

    void interrupt() override { stop_both(); }

    [[nodiscard]] relay_result outcome() const {
        const bool client_first = first_stopped_ == &upstream_;
        const pump_state& first = *first_stopped_;
        relay_result result;
        result.end = classify(client_first, *first.stop);
        // An interrupt shows as an aborted wait or write; a handler's stop as a stop of its own.
        // If the server ended the session on its own first (a FATAL during its shutdown), that
        // is the story the client already heard.
        result.interrupted = *first.stop == pump_stop::handler_stop ||
                             *first.stop == pump_stop::cancelled ||
                             first.error == asio::error::operation_aborted;
        if (*first.stop == pump_stop::internal_error) {
            result.detail = "internal error in the relay: " + first.failure;
        } else if (first.frame_error != protocol::frame_error::none) {
            result.detail = std::string(protocol::to_string(first.frame_error));
        } else if (first.error) {
            result.detail = first.error.message();
        }
        result.bytes_from_client = upstream_.bytes;
        result.bytes_from_server = downstream_.bytes;
        result.client_at_frame_boundary =
            downstream_.scanner.at_frame_boundary() && !downstream_.mid_write;
        result.client_input_intact = upstream_.unforwarded == 0 && !upstream_.mid_write &&
                                     upstream_.scanner.at_frame_boundary();
        return result;
    }

    static void complete(std::unique_ptr<relay_operation> self) {
        auto result = self->outcome();
        relay_completion& done = self->done_;
        self.reset();  // the session goes on inside relay_ended and may end there
        done.relay_ended(std::move(result));
    }

    ClientStream& client_;
    ServerStream* server_;
    relay_control& control_;
    pump_state upstream_;
    pump_state downstream_;
    pump<ClientStream, ServerStream> up_pump_;
    pump<ServerStream, ClientStream> down_pump_;
    const pump_state* first_stopped_ = nullptr;
    bool completing_ = false;
    relay_completion& done_;
};

}  // namespace

std::string_view to_string(relay_end end) {
    switch (end) {
        case relay_end::client_closed:
            return "client closed";
        case relay_end::server_closed:
            return "server closed";
        case relay_end::client_error:
            return "client error";
        case relay_end::server_error:
            return "server error";
        case relay_end::client_protocol_violation:
            return "client protocol violation";
        case relay_end::server_protocol_violation:
            return "server protocol violation";
        case relay_end::stopped:
            return "stopped";
        case relay_end::cut:
            return "cut";
    }
    return "unknown";
}

template <typename ClientStream, typename ServerStream>
void start_relay(ClientStream& client, ServerStream& server, frame_handler& from_client,
                 frame_handler& from_server, relay_control& control, buffer_pool& buffers,
                 relay_limits limits, relay_meters meters, relay_completion& done) {
    auto op = std::make_unique<relay_operation<ClientStream, ServerStream>>(
        client, server, from_client, from_server, control, buffers, limits, meters, done);
    op.release()->start();
}

// The four ways a session can be carried: plaintext or TLS on each side.
template void start_relay(tcp::socket&, tcp::socket&, frame_handler&, frame_handler&,
                          relay_control&, buffer_pool&, relay_limits, relay_meters,
                          relay_completion&);
template void start_relay(tls_stream&, tcp::socket&, frame_handler&, frame_handler&, relay_control&,
                          buffer_pool&, relay_limits, relay_meters, relay_completion&);
template void start_relay(tcp::socket&, tls_stream&, frame_handler&, frame_handler&, relay_control&,
                          buffer_pool&, relay_limits, relay_meters, relay_completion&);
template void start_relay(tls_stream&, tls_stream&, frame_handler&, frame_handler&, relay_control&,
                          buffer_pool&, relay_limits, relay_meters, relay_completion&);

}  // namespace pgroute::proxy
