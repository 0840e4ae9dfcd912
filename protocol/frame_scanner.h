// Finds frame boundaries in a byte stream so the relay can forward frames as their bytes arrive
// without copying payloads (cut-through, as PgBouncer's sbuf does), holding back whole only the
// small frames the proxy must read. Pure: bytes in, decisions out, no I/O.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

#include "protocol/byte_reader.h"
#include "protocol/message_type.h"

namespace pgroute::protocol {

enum class frame_error { none, length_too_small, length_too_large };

[[nodiscard]] std::string_view to_string(frame_error e);

struct frame_header {
    char type = 0;
    std::uint32_t length = 0;  // as on the wire: counts itself, not the type byte

    [[nodiscard]] std::size_t frame_size() const { return std::size_t{length} + 1; }
    [[nodiscard]] std::size_t body_size() const { return std::size_t{length} - 4; }
};

// Decodes a header from at least frame_header_size bytes; rejects lengths below 4 (they cannot
// count themselves) and above max_length (a hostile or corrupt peer).
[[nodiscard]] inline frame_error decode_frame_header(std::string_view data,
                                                     std::uint32_t max_length, frame_header& out) {
    out.type = data[0];
    out.length = load_u32(data.data() + 1);
    if (out.length < 4) return frame_error::length_too_small;
    if (out.length > max_length) return frame_error::length_too_large;
    return frame_error::none;
}

// What the visitor decides for a frame it is shown.
enum class frame_verdict : std::uint8_t {
    forward,      // pass it on
    hold,         // stop before it and keep it, and all behind it, until release_held()
    stop_before,  // end at the boundary before it; it is not forwarded
    stop_after,   // forward it, then end at the boundary after it (a frame shown whole only;
                  // for one streamed in pieces it means stop_before)
};

// Tracks one direction of a session across reads. The caller owns the buffer: it scans the
// bytes it holds, forwards the first `forward` of them, and keeps the rest at the front of its
// buffer for the next read. A frame the visitor wants whole (and that fits the buffer) is held
// back until complete; any other frame is shown at its header with the part of its body that is
// there, and streams on as its bytes arrive.
//
// The visitor provides:
//   bool wants_body(char type) const;
//   frame_verdict on_frame(const frame_header&, Bytes body);  // or void: always forward
// where Bytes is std::string_view from scan() and std::span<char> from scan_in_place().
class frame_scanner {
  public:
    struct result {
        std::size_t forward = 0;
        frame_error error = frame_error::none;
        // Set when a verdict ended the scan: hold and stop_before leave their frame at `forward`,
        // stop_after forwards through the end of its frame.
        std::optional<frame_verdict> halt{};
    };

    explicit frame_scanner(std::uint32_t max_length) : max_length_(max_length) {}

    // The visitor sees each body as a std::string_view.
    template <typename Visitor>
    [[nodiscard]] result scan(std::string_view data, std::size_t capacity, Visitor& visitor) {
        return scan_bytes(data, capacity, visitor);
    }
    // The visitor sees each body as a std::span<char> into the caller's buffer and may rewrite it
    // in place (same length) before the bytes are forwarded.
    template <typename Visitor>
    [[nodiscard]] result scan_in_place(std::span<char> data, std::size_t capacity,
                                       Visitor& visitor) {
        return scan_bytes(data, capacity, visitor);
    }

    // The frame a hold left at the front of the buffer passes at the next scan, unasked.
    void release_held() { released_ = true; }

    // True when everything forwarded so far ends on a frame boundary, i.e. a message of our
    // own (an ErrorResponse) may be injected into the stream without corrupting it.
    [[nodiscard]] bool at_frame_boundary() const { return streaming_remaining_ == 0; }

  private:
    template <typename Bytes, typename Visitor>
    result scan_bytes(Bytes data, std::size_t capacity, Visitor& visitor) {
        const std::string_view bytes(data.data(), data.size());
        std::size_t pos = std::min<std::size_t>(streaming_remaining_, bytes.size());
        streaming_remaining_ -= pos;
        while (bytes.size() - pos >= frame_header_size) {
            frame_header header;
            if (auto e = decode_frame_header(bytes.substr(pos), max_length_, header);
                e != frame_error::none) {
                return {pos, e};
            }
            const std::size_t available = bytes.size() - pos;
            const bool whole = available >= header.frame_size();
            if (!whole && visitor.wants_body(header.type) && header.frame_size() <= capacity) break;
            const std::size_t present = whole ? header.frame_size() : available;
            const frame_verdict verdict = decide(
                visitor, header, slice(data, pos + frame_header_size, present - frame_header_size));
            if (verdict == frame_verdict::hold || verdict == frame_verdict::stop_before ||
                (verdict == frame_verdict::stop_after && !whole)) {
                return {pos, frame_error::none,
                        verdict == frame_verdict::hold ? verdict : frame_verdict::stop_before};
            }
            if (!whole) {
                streaming_remaining_ = header.frame_size() - available;
                return {bytes.size(), frame_error::none};
            }
            pos += header.frame_size();
            if (verdict == frame_verdict::stop_after) return {pos, frame_error::none, verdict};
        }
        return {pos, frame_error::none};
    }

    static std::string_view slice(std::string_view data, std::size_t pos, std::size_t n) {
        return data.substr(pos, n);
    }
    static std::span<char> slice(std::span<char> data, std::size_t pos, std::size_t n) {
        return data.subspan(pos, n);
    }

    template <typename Visitor, typename Body>
    frame_verdict decide(Visitor& visitor, const frame_header& header, Body body) {
        if (released_) {
            released_ = false;
            return frame_verdict::forward;
        }
        if constexpr (std::is_void_v<decltype(visitor.on_frame(header, body))>) {
            visitor.on_frame(header, body);
            return frame_verdict::forward;
        } else {
            return visitor.on_frame(header, body);
        }
    }

    std::uint32_t max_length_;
    std::uint64_t streaming_remaining_ = 0;
    bool released_ = false;
};

}  // namespace pgroute::protocol
