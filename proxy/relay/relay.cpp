#include "proxy/relay/relay.h"

#include <asio/async_result.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>
#include <limits>
#include <memory>
#include <string>

#include "protocol/frame_scanner.h"
#include "protocol/message_type.h"
#include "protocol/sasl_mechanisms.h"
#include "proxy/metrics/query_clock.h"
#include "proxy/relay/pump.h"

namespace pgroute::proxy {

namespace {

using asio::ip::tcp;
using relay_detail::pump;
using relay_detail::pump_owner;
using relay_detail::pump_state;
using relay_detail::pump_stop;

// Client messages: any of them means the session is no longer idle; some start a query cycle.
struct frontend_observer {
    session_control& control;
    query_clock& queries;
    bool sent_terminate = false;
    [[nodiscard]] bool wants_body(char) const { return false; }
    void on_frame(const protocol::frame_header& header, std::string_view) {
        control.idle = false;
        sent_terminate = header.type == protocol::PqMsg_Terminate;
        if (starts_query_cycle(header.type)) queries.cycle_sent(query_clock::clock::now());
    }
    [[nodiscard]] bool stop_requested() const { return false; }
};

// Server messages: ReadyForQuery tells when the session is idle, where a deferred cut may land,
// and ends a query cycle; BackendKeyData is swapped for a key of pgroute's own; SCRAM channel
// binding is hidden from the mechanisms offered (see protocol/sasl_mechanisms.h).
struct backend_observer {
    session_control& control;
    query_clock& queries;
    cancel_key_swap& cancel_key;
    bool last_was_error = false;
    [[nodiscard]] bool wants_body(char type) const {
        return type == protocol::PqMsg_ReadyForQuery || type == protocol::PqMsg_BackendKeyData ||
               type == protocol::PqMsg_Authentication;
    }
    void on_frame(const protocol::frame_header& header, std::string_view body) {
        last_was_error = header.type == protocol::PqMsg_ErrorResponse;
        // Both are held back whole in the pump's own buffer and not yet forwarded: safe to
        // rewrite in place.
        if (header.type == protocol::PqMsg_BackendKeyData) {
            cancel_key.replace(std::span<char>(const_cast<char*>(body.data()), body.size()));
            return;
        }
        if (header.type == protocol::PqMsg_Authentication) {
            protocol::hide_channel_binding(
                std::span<char>(const_cast<char*>(body.data()), body.size()));
            return;
        }
        if (header.type != protocol::PqMsg_ReadyForQuery) return;
        const auto status = protocol::parse_ready_for_query(body);
        control.idle = status == protocol::transaction_status::idle;
        if (status) queries.ready_for_query(*status, query_clock::clock::now());
    }
    [[nodiscard]] bool stop_requested() const {
        return control.cut && control.cut->when_idle && control.idle;
    }
};

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
        case pump_stop::idle_cut:
            return relay_end::cut;
    }
    return relay_end::server_error;
}

// One session's relay: both pumps and what they observe, on the heap for as long as either
// runs. The first pump to stop decides how the relay ended and cancels whatever the other waits
// for; the session's handler gets the result once both have stopped.
template <typename ClientStream, typename ServerStream, typename Handler>
class relay_operation final : pump_owner {
  public:
    relay_operation(ClientStream& client, ServerStream& server, session_control& control,
                    cancel_key_swap& cancel_key, buffer_pool& buffers, relay_limits limits,
                    route_counters& counters, Handler handler)
        : client_(client),
          server_(server),
          control_(control),
          upstream_(limits.max_client_message_length, counters.bytes_from_client),
          // The server is trusted with any length it can express; only impossible lengths stop it.
          downstream_(std::numeric_limits<std::uint32_t>::max(), counters.bytes_from_server),
          queries_(counters),
          from_client_{control, queries_},
          from_server_{control, queries_, cancel_key},
          up_pump_(client, server, buffers, upstream_, from_client_, *this),
          down_pump_(server, client, buffers, downstream_, from_server_, *this),
          handler_(std::move(handler)) {}

    // Owns itself from here until it hands the handler its result.
    void start() {
        up_pump_.run();
        down_pump_.run();
    }

  private:
    [[nodiscard]] bool stopping() const override { return first_stopped_ != nullptr; }

    void pump_stopped() override {
        if (first_stopped_ == nullptr) {
            first_stopped_ = upstream_.stopped() ? &upstream_ : &downstream_;
            // Cancels the other pump's wait, read or write: it stops when that completes.
            std::error_code ignored;
            client_.lowest_layer().cancel(ignored);
            server_.lowest_layer().cancel(ignored);
        }
        if (!upstream_.stopped() || !downstream_.stopped()) return;
        // Not from inside the pump that just stopped: it returns through frames of its own.
        asio::post(client_.get_executor(), [self = std::unique_ptr<relay_operation>(
                                                this)]() mutable { complete(std::move(self)); });
    }

    [[nodiscard]] relay_result outcome() const {
        const bool client_first = first_stopped_ == &upstream_;
        const pump_state& first = *first_stopped_;
        relay_result result;
        result.end = classify(client_first, *first.stop);
        // A cut shows as an aborted wait or write. If the server ended the session on its own
        // first (a FATAL during its shutdown), that is the story the client already heard.
        const bool interrupted = *first.stop == pump_stop::cancelled ||
                                 *first.stop == pump_stop::idle_cut ||
                                 first.error == asio::error::operation_aborted;
        if (control_.cut && interrupted) result.end = relay_end::cut;
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
        result.client_sent_terminate = from_client_.sent_terminate;
        result.server_ended_with_error = from_server_.last_was_error;
        return result;
    }

    static void complete(std::unique_ptr<relay_operation> self) {
        auto result = self->outcome();
        auto handler = std::move(self->handler_);
        self.reset();  // the session resumes inside the handler and may end there
        std::move(handler)(std::move(result));
    }

    ClientStream& client_;
    ServerStream& server_;
    const session_control& control_;
    pump_state upstream_;
    pump_state downstream_;
    query_clock queries_;
    frontend_observer from_client_;
    backend_observer from_server_;
    pump<ClientStream, ServerStream, frontend_observer> up_pump_;
    pump<ServerStream, ClientStream, backend_observer> down_pump_;
    const pump_state* first_stopped_ = nullptr;
    Handler handler_;
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
        case relay_end::cut:
            return "cut";
    }
    return "unknown";
}

template <typename ClientStream, typename ServerStream>
asio::awaitable<relay_result> relay(ClientStream& client, ServerStream& server,
                                    session_control& control, cancel_key_swap& cancel_key,
                                    buffer_pool& buffers, relay_limits limits,
                                    route_counters& counters) {
    // The initiation runs when the session awaits it, after this function returned: it holds
    // the references, and the limits by value.
    return asio::async_initiate<const asio::use_awaitable_t<>, void(relay_result)>(
        [&client, &server, &control, &cancel_key, &buffers, limits, &counters](auto handler) {
            using operation = relay_operation<ClientStream, ServerStream, decltype(handler)>;
            auto op = std::make_unique<operation>(client, server, control, cancel_key, buffers,
                                                  limits, counters, std::move(handler));
            op.release()->start();
        },
        asio::use_awaitable);
}

// The four ways a session can be carried: plaintext or TLS on each side.
template asio::awaitable<relay_result> relay(tcp::socket&, tcp::socket&, session_control&,
                                             cancel_key_swap&, buffer_pool&, relay_limits,
                                             route_counters&);
template asio::awaitable<relay_result> relay(tls_stream&, tcp::socket&, session_control&,
                                             cancel_key_swap&, buffer_pool&, relay_limits,
                                             route_counters&);
template asio::awaitable<relay_result> relay(tcp::socket&, tls_stream&, session_control&,
                                             cancel_key_swap&, buffer_pool&, relay_limits,
                                             route_counters&);
template asio::awaitable<relay_result> relay(tls_stream&, tls_stream&, session_control&,
                                             cancel_key_swap&, buffer_pool&, relay_limits,
                                             route_counters&);

}  // namespace pgroute::proxy
