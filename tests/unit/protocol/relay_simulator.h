// Drives a frame_scanner the way the relay does (a fixed buffer that keeps its unforwarded tail at
// the front and appends each read) and checks the outcome against what the stream alone dictates,
// so the unit tests and the fuzzer hold the scanner to the same invariants under any split.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/frame_scanner.h"

namespace pgroute::protocol::fixtures {

struct relay_setup {
    std::size_t capacity = 0;       // the relay buffer's size; at least frame_header_size
    std::uint32_t max_length = 0;   // the scanner's length ceiling
    std::string_view wanted_types;  // types whose visitor asks for the whole body
};

struct seen_frame {
    frame_header header;
    std::string body;  // what on_frame received: the whole body, or a prefix when streamed
};

struct relay_outcome {
    std::vector<seen_frame> frames;
    std::string forwarded;  // every byte the scanner released, in order
    std::string held;       // what was left in the buffer when input ran out or an error stopped it
    frame_error error = frame_error::none;
    bool at_frame_boundary = true;
    bool stalled = false;  // the buffer was full and nothing was forwarded: a relay would hang
};

// Delivers `stream` in reads of the listed sizes and then in reads as large as the buffer allows;
// like a socket read, each read is cut to the buffer's free space and the rest comes next time.
[[nodiscard]] relay_outcome relay(std::string_view stream, std::span<const std::size_t> read_sizes,
                                  const relay_setup& setup);

// Empty when `outcome` is what relaying `stream` under `setup` must give for any read sizes;
// otherwise a description of the first discrepancy.
[[nodiscard]] std::string check_relay_outcome(std::string_view stream, const relay_setup& setup,
                                              const relay_outcome& outcome);

}  // namespace pgroute::protocol::fixtures
