#include "proxy/relay.h"

#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/experimental/parallel_group.hpp>
#include <asio/ssl/error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <cstring>
#include <limits>
#include <tuple>
#include <type_traits>

#include "protocol/frame_scanner.h"
#include "protocol/message_type.h"
#include "protocol/sasl_mechanisms.h"
#include "proxy/metrics_query_clock.h"

namespace pgroute::proxy {

namespace {

using asio::ip::tcp;
constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

enum class pump_stop {
    source_closed,
    source_error,
    sink_error,
    protocol_violation,
    idle_cut,
    cancelled
};

struct pump_state {
    pump_state(std::uint32_t max_length, counter& relayed_bytes)
        : scanner(max_length), relayed(relayed_bytes) {}
    protocol::frame_scanner scanner;
    std::uint64_t bytes = 0;
    counter& relayed;        // the metric, bumped per read rather than at the end of the session
    bool mid_write = false;  // a write was interrupted: the sink may hold half a frame
    std::error_code error;
    protocol::frame_error frame_error = protocol::frame_error::none;
};

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

// On epoll a readiness wait is a flag in the reactor, so a plain socket is best served by
// non-blocking calls and a wait only when the kernel has nothing (or no room). On io_uring a
// wait is a POLL_ADD of its own followed by a system call for the read; giving the ring the read
// and the write (RECV, SEND) instead measured 7-9% more TPS and 10% less CPU per transaction
// (pgbench -S -c 32, 3 interleaved rounds), at the price of a buffer held by every waiting pump
// (19.6 instead of 11.1 KiB per idle session).
#if defined(ASIO_HAS_IO_URING) && defined(ASIO_DISABLE_EPOLL)
constexpr bool readiness_backend = false;
#else
constexpr bool readiness_backend = true;
#endif

template <typename Stream>
constexpr bool uses_readiness() {
    return readiness_backend && std::is_same_v<Stream, tcp::socket>;
}

// The pump writes straight away, which on a socket with room succeeds at once: an async_write
// would cost a trip through the scheduler and a coroutine suspension per message even when
// nothing blocks. This is the slow path for what the kernel did not take: wait until writable.
// (Not used in io_uring builds.)
[[maybe_unused]] asio::awaitable<std::error_code> write_rest(tcp::socket& to, std::string_view data,
                                                             const session_control& control) {
    while (!data.empty()) {
        if (control.cut_due()) co_return asio::error::operation_aborted;
        auto [wait_ec] = co_await to.async_wait(tcp::socket::wait_write, use_tuple);
        if (wait_ec) co_return wait_ec;
        std::error_code ec;
        const std::size_t n = to.write_some(asio::buffer(data.data(), data.size()), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) continue;
        if (ec) co_return ec;
        data.remove_prefix(n);
    }
    co_return std::error_code{};
}

// Moves bytes from one stream to the other until something ends it. With readiness (a plain
// socket on epoll) reads and writes are non-blocking attempts first; the pump waits only after
// the socket ran dry (or filled up), and gives its buffer back to the pool while it waits with
// nothing held. Otherwise (TLS, which cannot be read that way without risking a half-written
// record, or io_uring) it uses asynchronous reads and writes, holding its buffer while it waits.
template <typename From, typename To, typename Observer>
asio::awaitable<pump_stop> pump(From& from, To& to, buffer_pool& pool, pump_state& state,
                                Observer& observer) {
    const std::size_t capacity = pool.buffer_size();
    pooled_buffer buffer;
    std::size_t filled = 0;
    for (;;) {
        if (!buffer) buffer = pool.acquire();
        const auto free_space = asio::buffer(buffer.data() + filled, capacity - filled);
        std::error_code ec;
        std::size_t n = 0;
        if constexpr (uses_readiness<From>()) {
            n = from.read_some(free_space, ec);
            if (ec == asio::error::would_block || ec == asio::error::try_again) {
                if (filled == 0) buffer.reset();
                if (observer.control.cut_due()) co_return pump_stop::cancelled;
                auto [wait_ec] = co_await from.async_wait(tcp::socket::wait_read, use_tuple);
                if (wait_ec) {
                    state.error = wait_ec;
                    co_return pump_stop::cancelled;
                }
                continue;
            }
        } else {
            if (observer.control.cut_due()) co_return pump_stop::cancelled;
            std::tie(ec, n) = co_await from.async_read_some(free_space, use_tuple);
            if (ec == asio::error::operation_aborted) {
                state.error = ec;
                co_return pump_stop::cancelled;
            }
            // A peer that closes without TLS's close_notify has still closed.
            if (ec == asio::ssl::error::stream_truncated) ec = asio::error::eof;
        }
        if (ec == asio::error::eof) co_return pump_stop::source_closed;
        if (ec) {
            state.error = ec;
            co_return pump_stop::source_error;
        }
        state.bytes += n;
        state.relayed.add(n);
        filled += n;
        const auto scanned =
            state.scanner.scan(std::string_view(buffer.data(), filled), capacity, observer);
        if (scanned.forward > 0) {
            state.mid_write = true;
            const auto frames = asio::buffer(buffer.data(), scanned.forward);
            std::error_code write_ec;
            if constexpr (uses_readiness<To>()) {
                std::size_t written = to.write_some(frames, write_ec);
                if (write_ec == asio::error::would_block || write_ec == asio::error::try_again) {
                    written = 0;
                    write_ec.clear();
                }
                if (!write_ec && written < scanned.forward) {
                    write_ec = co_await write_rest(
                        to, std::string_view(buffer.data() + written, scanned.forward - written),
                        observer.control);
                }
            } else {
                std::tie(write_ec, std::ignore) = co_await asio::async_write(to, frames, use_tuple);
            }
            if (write_ec) {
                state.error = write_ec;
                co_return pump_stop::sink_error;
            }
            state.mid_write = false;
        }
        if (scanned.error != protocol::frame_error::none) {
            state.frame_error = scanned.error;
            co_return pump_stop::protocol_violation;
        }
        filled -= scanned.forward;
        if (filled > 0) std::memmove(buffer.data(), buffer.data() + scanned.forward, filled);
        if (filled == 0 && observer.stop_requested() && state.scanner.at_frame_boundary()) {
            co_return pump_stop::idle_cut;
        }
    }
}

relay_end classify(bool client_to_server, pump_stop stop) {
    switch (stop) {
        case pump_stop::source_closed:
            return client_to_server ? relay_end::client_closed : relay_end::server_closed;
        case pump_stop::source_error:
        case pump_stop::cancelled:
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
    pump_state upstream(limits.max_client_message_length, counters.bytes_from_client);
    // The server is trusted with any length it can express; only impossible lengths stop it.
    pump_state downstream(std::numeric_limits<std::uint32_t>::max(), counters.bytes_from_server);
    query_clock queries(counters);
    frontend_observer from_client{control, queries};
    backend_observer from_server{control, queries, cancel_key};

    const auto executor = co_await asio::this_coro::executor;
    auto [order, up_exception, up_stop, down_exception, down_stop] =
        co_await asio::experimental::make_parallel_group(
            asio::co_spawn(executor, pump(client, server, buffers, upstream, from_client),
                           asio::experimental::deferred),
            asio::co_spawn(executor, pump(server, client, buffers, downstream, from_server),
                           asio::experimental::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);

    const bool client_first = order[0] == 0;
    const auto& first = client_first ? upstream : downstream;
    const auto first_stop = client_first ? up_stop : down_stop;
    relay_result result;
    result.end = classify(client_first, first_stop);
    if ((client_first ? up_exception : down_exception) != nullptr) {
        result.end = client_first ? relay_end::client_error : relay_end::server_error;
        result.detail = "internal error in the relay";
    }
    // A cut shows as an aborted wait or write. If the server ended the session on its own first
    // (a FATAL during its shutdown), that is the story the client already heard.
    const bool interrupted = first_stop == pump_stop::cancelled ||
                             first_stop == pump_stop::idle_cut ||
                             first.error == asio::error::operation_aborted;
    if (control.cut && interrupted) result.end = relay_end::cut;
    if (first.frame_error != protocol::frame_error::none) {
        result.detail = std::string(protocol::to_string(first.frame_error));
    } else if (first.error) {
        result.detail = first.error.message();
    }
    result.bytes_from_client = upstream.bytes;
    result.bytes_from_server = downstream.bytes;
    result.client_at_frame_boundary =
        downstream.scanner.at_frame_boundary() && !downstream.mid_write;
    result.client_sent_terminate = from_client.sent_terminate;
    result.server_ended_with_error = from_server.last_was_error;
    co_return result;
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
