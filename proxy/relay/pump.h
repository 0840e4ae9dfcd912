// One direction of a session's relay: moves frames from one stream to the other as their bytes
// arrive and shows them to an observer on the way. Internal to proxy/relay/relay.cpp, which runs
// two of them.
#pragma once

#include <asio/ip/tcp.hpp>
#include <asio/ssl/error.hpp>
#include <asio/write.hpp>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <type_traits>

#include "protocol/frame_scanner.h"
#include "proxy/metrics/counters.h"
#include "proxy/relay/buffer_pool.h"

namespace pgroute::proxy::relay_detail {

using asio::ip::tcp;

enum class pump_stop {
    source_closed,
    source_error,
    sink_error,
    protocol_violation,
    idle_cut,
    cancelled,
    internal_error
};

struct pump_state {
    pump_state(std::uint32_t max_length, counter& relayed_bytes)
        : scanner(max_length), relayed(relayed_bytes) {}
    protocol::frame_scanner scanner;
    std::uint64_t bytes = 0;
    counter& relayed;        // the metric, bumped per read rather than at the end of the session
    bool mid_write = false;  // a write was interrupted: the sink may hold half a frame
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

// Moves bytes from one stream to the other until something ends it. It is driven by completion
// handlers, not a coroutine: a waiting pump then costs one small wait operation instead of a
// coroutine stack, which is most of what an idle session holds. With readiness (a plain socket
// on epoll) reads and writes are non-blocking attempts first; the pump waits only after the
// socket ran dry (or filled up), and gives its buffer back to the pool while it waits with
// nothing held. Otherwise (TLS, which cannot be read that way without risking a half-written
// record, or io_uring) it uses asynchronous reads and writes, holding its buffer while it waits.
template <typename From, typename To, typename Observer>
class pump {
  public:
    pump(From& from, To& to, buffer_pool& pool, pump_state& state, Observer& observer,
         pump_owner& owner)
        : from_(from), to_(to), pool_(pool), state_(state), observer_(observer), owner_(owner) {}

    // Relays what there is; returns once the pump waits for a stream or has stopped.
    void run() {
        guarded([this] { read_until_waiting(); });
    }

  private:
    // An exception (an allocation that failed) stops the pump instead of the worker thread.
    template <typename Step>
    void guarded(Step&& step) {
        try {
            step();
        } catch (const std::exception& e) {
            state_.failure = e.what();
            stop(pump_stop::internal_error);
        }
    }

    [[nodiscard]] bool cut_due() const { return observer_.control.cut_due(); }

    void read_until_waiting() {
        for (;;) {
            if (owner_.stopping()) return stop(pump_stop::cancelled);
            if (!buffer_) buffer_ = pool_.acquire();
            const auto free_space = asio::buffer(buffer_.data() + filled_, capacity() - filled_);
            if constexpr (uses_readiness<From>()) {
                std::error_code ec = asio::error::would_block;
                std::size_t n = 0;
                if (!drained_) n = from_.read_some(free_space, ec);
                if (would_block(ec)) {
                    drained_ = false;
                    if (filled_ == 0) buffer_.reset();
                    if (cut_due()) return stop(pump_stop::cancelled);
                    from_.async_wait(tcp::socket::wait_read, [this](std::error_code wait_ec) {
                        if (wait_ec) {
                            state_.error = wait_ec;
                            return stop(pump_stop::cancelled);
                        }
                        run();
                    });
                    return;
                }
                drained_ = !ec && n < free_space.size();
                if (!forward_read(ec, n)) return;
            } else {
                if (cut_due()) return stop(pump_stop::cancelled);
                from_.async_read_some(free_space, [this](std::error_code ec, std::size_t n) {
                    guarded([&] {
                        if (forward_read(ec, n)) read_until_waiting();
                    });
                });
                return;
            }
        }
    }

    // Scans what a read brought and forwards it up to the last frame boundary (or through the
    // streamed part of a large frame). True when the pump may read on at
    // once; false when it stopped or a write continues asynchronously.
    bool forward_read(std::error_code ec, std::size_t n) {
        // A read that completed as the other pump stopped: nobody would cancel a write now.
        if (owner_.stopping()) {
            stop(pump_stop::cancelled);
            return false;
        }
        if (ec == asio::error::operation_aborted) {
            state_.error = ec;
            stop(pump_stop::cancelled);
            return false;
        }
        // A peer that closes without TLS's close_notify has still closed.
        if (ec == asio::ssl::error::stream_truncated || ec == asio::error::eof) {
            stop(pump_stop::source_closed);
            return false;
        }
        if (ec) {
            state_.error = ec;
            stop(pump_stop::source_error);
            return false;
        }
        state_.bytes += n;
        state_.relayed.add(n);
        filled_ += n;
        scanned_ =
            state_.scanner.scan(std::string_view(buffer_.data(), filled_), capacity(), observer_);
        if (scanned_.forward == 0) return frames_forwarded();
        state_.mid_write = true;
        const auto frames = asio::buffer(buffer_.data(), scanned_.forward);
        if constexpr (uses_readiness<To>()) {
            std::error_code write_ec;
            written_ = to_.write_some(frames, write_ec);
            if (would_block(write_ec)) {
                written_ = 0;
                write_ec.clear();
            }
            if (write_ec) return sink_failed(write_ec);
            if (written_ == scanned_.forward) return frames_forwarded();
            write_when_writable();
        } else {
            asio::async_write(to_, frames, [this](std::error_code write_ec, std::size_t) {
                guarded([&] {
                    if (write_ec) return static_cast<void>(sink_failed(write_ec));
                    if (frames_forwarded()) read_until_waiting();
                });
            });
        }
        return false;
    }

    // The slow path of a write on a plain socket: what the kernel did not take waits until the
    // socket has room. (A direct write_some succeeds at once on a socket with room, which spares
    // every message a trip through the scheduler.)
    void write_when_writable() {
        if (cut_due() || owner_.stopping()) {
            sink_failed(asio::error::operation_aborted);
            return;
        }
        drained_ = false;  // the loop runs meanwhile and may take the edge of new bytes
        to_.async_wait(tcp::socket::wait_write, [this](std::error_code wait_ec) {
            guarded([&] {
                if (wait_ec) return static_cast<void>(sink_failed(wait_ec));
                std::error_code ec;
                const auto rest =
                    asio::buffer(buffer_.data() + written_, scanned_.forward - written_);
                const std::size_t n = to_.write_some(rest, ec);
                if (ec && !would_block(ec)) return static_cast<void>(sink_failed(ec));
                written_ += n;
                if (written_ < scanned_.forward) return write_when_writable();
                if (frames_forwarded()) read_until_waiting();
            });
        });
    }

    bool sink_failed(std::error_code ec) {
        state_.error = ec;
        stop(pump_stop::sink_error);
        return false;
    }

    // The scanned frames are with the sink: keep the partial frame behind them for the next read.
    // False when the pump stopped.
    bool frames_forwarded() {
        state_.mid_write = false;
        if (scanned_.error != protocol::frame_error::none) {
            state_.frame_error = scanned_.error;
            stop(pump_stop::protocol_violation);
            return false;
        }
        filled_ -= scanned_.forward;
        if (filled_ > 0) std::memmove(buffer_.data(), buffer_.data() + scanned_.forward, filled_);
        if (filled_ == 0 && observer_.stop_requested() && state_.scanner.at_frame_boundary()) {
            stop(pump_stop::idle_cut);
            return false;
        }
        return true;
    }

    [[nodiscard]] std::size_t capacity() const { return pool_.buffer_size(); }

    // Called with no operation of this pump pending; it is never resumed after.
    void stop(pump_stop why) {
        state_.stop = why;
        buffer_.reset();
        owner_.pump_stopped();
    }

    From& from_;
    To& to_;
    buffer_pool& pool_;
    pump_state& state_;
    Observer& observer_;
    pump_owner& owner_;
    pooled_buffer buffer_;
    std::size_t filled_ = 0;
    protocol::frame_scanner::result scanned_;
    std::size_t written_ = 0;  // of scanned_.forward, on the slow path of a write
    // The last read came back short, so the source had nothing more, and the event loop has not
    // run since: epoll (edge-triggered in Asio) will report the next bytes, so the pump waits
    // for them without the read that would only say EAGAIN. One system call fewer per message.
    bool drained_ = false;
};

}  // namespace pgroute::proxy::relay_detail
