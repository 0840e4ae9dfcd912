// One direction of a session's relay: moves frames from one stream to the other as their bytes
// arrive, and asks the session's frame_handler about each on the way: forward, hold (then release
// or replace), stop, or a rewrite in place. Internal to proxy/relay/relay.cpp, which runs two of
// them.
#pragma once

#include <asio/ip/tcp.hpp>
#include <asio/ssl/error.hpp>
#include <asio/write.hpp>
#include <cstring>
#include <exception>
#include <optional>
#include <span>
#include <string>
#include <type_traits>

#include "protocol/frame_scanner.h"
#include "proxy/relay/buffer_pool.h"
#include "proxy/relay/frame_handler.h"
#include "proxy/relay/pump_state.h"

namespace pgroute::proxy::relay_detail {

using asio::ip::tcp;

// Moves bytes from one stream to the other until something ends it. It is driven by completion
// handlers, not a coroutine: a waiting pump then costs one small wait operation instead of a
// coroutine stack, which is most of what an idle session holds. With readiness (a plain socket
// on epoll) reads and writes are non-blocking attempts first; the pump waits only after the
// socket ran dry (or filled up), and gives its buffer back to the pool while it waits with
// nothing held. Otherwise (TLS, which cannot be read that way without risking a half-written
// record, or io_uring) it uses asynchronous reads and writes, holding its buffer while it waits.
//
// Either stream can be swapped for another of its type at a frame boundary (rebind_source,
// rebind_sink): that is how a session moves its server side to another node.
template <typename From, typename To>
class pump {
  public:
    pump(From& from, To& to, buffer_pool& pool, pump_state& state, frame_handler& handler,
         pump_owner& owner)
        : from_(&from), to_(&to), pool_(pool), state_(state), frames_{handler}, owner_(owner) {}

    // Relays what there is; returns once the pump waits for a stream, holds a frame, or stopped.
    void run() {
        guarded([this] { read_until_waiting(); });
    }

    // True while a frame its handler held waits for release().
    [[nodiscard]] bool held() const { return held_; }

    // Forwards `injection` (whole messages of the session's own, possibly none), then the held
    // frame unless `drop_held`, and goes on relaying. Only while held().
    void release(std::string injection, bool drop_held) {
        if (!held_) return;
        held_ = false;
        injection_ = std::move(injection);
        drop_held_ = drop_held;
        if (in_on_held_) return;  // the pump resumes as frame_handler::on_held returns
        guarded([this] {
            if (resume()) read_until_waiting();
        });
    }

    // Reads come from `next` from now on. Only at a frame boundary with nothing of the current
    // source buffered; false (and nothing changed) otherwise.
    [[nodiscard]] bool rebind_source(From& next) {
        if (filled_ > 0 || !state_.scanner.at_frame_boundary()) return false;
        drained_ = false;
        if (!waiting_for_source_) {
            from_ = &next;
            return true;
        }
        // The wait on the old source completes aborted; the pump then reads from `next`.
        next_source_ = &next;
        std::error_code ignored;
        from_->lowest_layer().cancel(ignored);
        return true;
    }

    // Writes go to `next` from now on. Not while a write is under way; false then.
    [[nodiscard]] bool rebind_sink(To& next) {
        if (state_.mid_write) return false;
        to_ = &next;
        return true;
    }

    // Stops a pump that holds a frame: it has no operation for a cancel to reach.
    void abandon() {
        if (!held_ || state_.stopped()) return;
        held_ = false;
        stop(pump_stop::cancelled);
    }

  private:
    enum class after_write { frames, injection };

    // Shows frames to the handler for the scanner, which takes a visitor by template.
    struct frames_visitor {
        frame_handler& handler;
        [[nodiscard]] bool wants_body(char type) const { return handler.wants_body(type); }
        protocol::frame_verdict on_frame(const protocol::frame_header& header,
                                         std::span<char> body) {
            return handler.on_frame(header, body);
        }
    };

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

    [[nodiscard]] bool stop_due() const { return frames_.handler.stop_due(); }

    void read_until_waiting() {
        for (;;) {
            if (owner_.stopping()) return stop(pump_stop::cancelled);
            if (!buffer_) buffer_ = pool_.acquire();
            const auto free_space = asio::buffer(buffer_.data() + filled_, capacity() - filled_);
            if constexpr (uses_readiness<From>()) {
                std::error_code ec = asio::error::would_block;
                std::size_t n = 0;
                if (!drained_) n = from_->read_some(free_space, ec);
                if (would_block(ec)) {
                    drained_ = false;
                    if (filled_ == 0) buffer_.reset();
                    if (stop_due()) return stop(pump_stop::cancelled);
                    waiting_for_source_ = true;
                    from_->async_wait(tcp::socket::wait_read, [this](std::error_code wait_ec) {
                        waiting_for_source_ = false;
                        if (wait_ec && switched_source(wait_ec)) return run();
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
                if (stop_due()) return stop(pump_stop::cancelled);
                waiting_for_source_ = true;
                from_->async_read_some(free_space, [this](std::error_code ec, std::size_t n) {
                    waiting_for_source_ = false;
                    guarded([&] {
                        if (forward_read(ec, n)) read_until_waiting();
                    });
                });
                return;
            }
        }
    }

    // True when a wait ended by `ec` was the old source's, cancelled by rebind_source: the pump
    // now reads from the new one.
    bool switched_source(std::error_code ec) {
        if (ec != asio::error::operation_aborted || next_source_ == nullptr) return false;
        from_ = std::exchange(next_source_, nullptr);
        return !owner_.stopping();
    }

    // True when the pump may read on at once; false when it stopped, holds a frame, or a write
    // continues asynchronously.
    bool forward_read(std::error_code ec, std::size_t n) {
        // A read that completed as the other pump stopped: nobody would cancel a write now. Its
        // bytes stay counted as read and not forwarded (pump_state::unforwarded).
        if (owner_.stopping()) {
            if (!ec) filled_ += n;
            stop(pump_stop::cancelled);
            return false;
        }
        if (switched_source(ec)) return true;
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
        return forward_buffered();
    }

    // Shows the buffered frames to the handler and forwards what it lets through.
    bool forward_buffered() {
        scanned_ = state_.scanner.scan_in_place(std::span<char>(buffer_.data(), filled_),
                                                capacity(), frames_);
        if (scanned_.forward == 0) return frames_forwarded();
        return write(buffer_.data(), scanned_.forward, after_write::frames);
    }

    // Writes `size` bytes at `data` to the sink, then goes on as `then` says. True when that
    // happened at once and the pump may read on.
    bool write(const char* data, std::size_t size, after_write then) {
        state_.mid_write = true;
        out_ = data;
        out_size_ = size;
        then_ = then;
        if constexpr (uses_readiness<To>()) {
            std::error_code ec;
            written_ = to_->write_some(asio::buffer(data, size), ec);
            if (would_block(ec)) {
                written_ = 0;
                ec.clear();
            }
            if (ec) return sink_failed(ec);
            if (written_ == size) return write_done();
            write_when_writable();
        } else {
            asio::async_write(*to_, asio::buffer(data, size),
                              [this](std::error_code ec, std::size_t) {
                                  guarded([&] {
                                      if (ec) return static_cast<void>(sink_failed(ec));
                                      if (write_done()) read_until_waiting();
                                  });
                              });
        }
        return false;
    }

    // The slow path of a write on a plain socket: what the kernel did not take waits until the
    // socket has room. (A direct write_some succeeds at once on a socket with room, which spares
    // every message a trip through the scheduler.)
    void write_when_writable() {
        if (stop_due() || owner_.stopping()) {
            sink_failed(asio::error::operation_aborted);
            return;
        }
        drained_ = false;  // the loop runs meanwhile and may take the edge of new bytes
        to_->async_wait(tcp::socket::wait_write, [this](std::error_code wait_ec) {
            guarded([&] {
                if (wait_ec) return static_cast<void>(sink_failed(wait_ec));
                std::error_code ec;
                const std::size_t n =
                    to_->write_some(asio::buffer(out_ + written_, out_size_ - written_), ec);
                if (ec && !would_block(ec)) return static_cast<void>(sink_failed(ec));
                written_ += n;
                if (written_ < out_size_) return write_when_writable();
                if (write_done()) read_until_waiting();
            });
        });
    }

    bool write_done() {
        state_.mid_write = false;
        if (then_ == after_write::frames) return frames_forwarded();
        injection_.clear();
        return forward_buffered();
    }

    bool sink_failed(std::error_code ec) {
        state_.error = ec;
        stop(pump_stop::sink_error);
        return false;
    }

    // The scanned frames are with the sink: keep the rest behind them for the next read, and
    // act on the verdict that ended the scan, if one did. False when the pump does not read on.
    bool frames_forwarded() {
        if (scanned_.error != protocol::frame_error::none) {
            state_.frame_error = scanned_.error;
            stop(pump_stop::protocol_violation);
            return false;
        }
        filled_ -= scanned_.forward;
        if (filled_ > 0) std::memmove(buffer_.data(), buffer_.data() + scanned_.forward, filled_);
        scanned_.forward = 0;
        if (!scanned_.halt) return true;
        if (*scanned_.halt != protocol::frame_verdict::hold) {
            stop(pump_stop::handler_stop);
            return false;
        }
        held_ = true;
        in_on_held_ = true;
        frames_.handler.on_held();
        in_on_held_ = false;
        return !held_ && resume();  // released from inside on_held
    }

    // After release(): the injection first, then the held frame (unless dropped) and what
    // follows it.
    bool resume() {
        if (std::exchange(drop_held_, false)) {
            if (!drop_held_frame()) return false;
        } else {
            state_.scanner.release_held();
        }
        if (!injection_.empty()) {
            return write(injection_.data(), injection_.size(), after_write::injection);
        }
        return forward_buffered();
    }

    // Removes the held frame from the front of the buffer unsent. Only a frame held whole can
    // go: of one streamed in pieces, bytes still to come would have to be skipped as well.
    bool drop_held_frame() {
        const std::size_t size = filled_ >= protocol::frame_header_size
                                     ? std::size_t{protocol::load_u32(buffer_.data() + 1)} + 1
                                     : 0;
        if (size == 0 || size > filled_) {
            state_.failure = "a frame not held whole cannot be replaced";
            stop(pump_stop::internal_error);
            return false;
        }
        filled_ -= size;
        if (filled_ > 0) std::memmove(buffer_.data(), buffer_.data() + size, filled_);
        return true;
    }

    [[nodiscard]] std::size_t capacity() const { return pool_.buffer_size(); }

    // Called with no operation of this pump pending; it is never resumed after.
    void stop(pump_stop why) {
        state_.stop = why;
        state_.unforwarded = filled_;
        buffer_.reset();
        owner_.pump_stopped();
    }

    From* from_;
    To* to_;
    From* next_source_ = nullptr;  // set by rebind_source while a wait on the old one ends
    buffer_pool& pool_;
    pump_state& state_;
    frames_visitor frames_;
    pump_owner& owner_;
    pooled_buffer buffer_;
    std::size_t filled_ = 0;
    protocol::frame_scanner::result scanned_;
    const char* out_ = nullptr;  // the write under way: the buffer's frames or an injection
    std::size_t out_size_ = 0;
    std::size_t written_ = 0;  // of out_size_, on the slow path of a write
    after_write then_ = after_write::frames;
    std::string injection_;  // what release() asked to send before the held frame
    bool held_ = false;
    bool drop_held_ = false;  // release() replaces the held frame with its injection
    bool in_on_held_ = false;
    bool waiting_for_source_ = false;
    // The last read came back short, so the source had nothing more, and the event loop has not
    // run since: epoll (edge-triggered in Asio) will report the next bytes, so the pump waits
    // for them without the read that would only say EAGAIN. One system call fewer per message.
    bool drained_ = false;
};

}  // namespace pgroute::proxy::relay_detail
