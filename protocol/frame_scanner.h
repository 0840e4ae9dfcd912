// Finds frame boundaries in a byte stream so the relay can forward frames as their bytes arrive
// without copying payloads (cut-through, as PgBouncer's sbuf does), holding back whole only the
// small frames the proxy must read. Pure: bytes in, decisions out, no I/O.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>

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

// Decodes a header from at least FRAME_HEADER_SIZE bytes; rejects lengths below 4 (they cannot
// count themselves) and above max_length (a hostile or corrupt peer).
[[nodiscard]] inline frame_error decode_frame_header(std::string_view data,
                                                     std::uint32_t max_length, frame_header& out) {
    out.type = data[0];
    out.length = load_u32(data.data() + 1);
    if (out.length < 4) return frame_error::length_too_small;
    if (out.length > max_length) return frame_error::length_too_large;
    return frame_error::none;
}

// Tracks one direction of a session across reads. The caller owns the buffer: it scans the
// bytes it holds, forwards the first `forward` of them, and keeps the rest at the front of its
// buffer for the next read. A frame the visitor wants whole (and that fits the buffer) is held
// back until complete; any other frame is forwarded as its bytes arrive.
//
// The visitor provides:
//   bool wants_body(char type) const;
//   void on_frame(const frame_header&, std::string_view body);  // body may be a prefix when
//   streamed
class frame_scanner {
  public:
    struct result {
        std::size_t forward = 0;
        frame_error error = frame_error::none;
    };

    explicit frame_scanner(std::uint32_t max_length) : max_length_(max_length) {}

    template <typename Visitor>
    [[nodiscard]] result scan(std::string_view data, std::size_t capacity, Visitor& visitor) {
        std::size_t pos = std::min<std::size_t>(streaming_remaining_, data.size());
        streaming_remaining_ -= pos;
        while (data.size() - pos >= FRAME_HEADER_SIZE) {
            frame_header header;
            if (auto e = decode_frame_header(data.substr(pos), max_length_, header);
                e != frame_error::none) {
                return {pos, e};
            }
            const std::size_t available = data.size() - pos;
            if (available >= header.frame_size()) {
                visitor.on_frame(header, data.substr(pos + FRAME_HEADER_SIZE, header.body_size()));
                pos += header.frame_size();
                continue;
            }
            if (visitor.wants_body(header.type) && header.frame_size() <= capacity) break;
            visitor.on_frame(header, data.substr(pos + FRAME_HEADER_SIZE));
            streaming_remaining_ = header.frame_size() - available;
            pos = data.size();
        }
        return {pos, frame_error::none};
    }

    // True when everything forwarded so far ends on a frame boundary, i.e. a message of our
    // own (an ErrorResponse) may be injected into the stream without corrupting it.
    [[nodiscard]] bool at_frame_boundary() const { return streaming_remaining_ == 0; }

  private:
    std::uint32_t max_length_;
    std::uint64_t streaming_remaining_ = 0;
};

}  // namespace pgroute::protocol
