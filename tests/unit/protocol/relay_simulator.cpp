#include "tests/unit/protocol/relay_simulator.h"

#include <algorithm>

#include "protocol/byte_reader.h"
#include "protocol/message_type.h"

namespace pgroute::protocol::fixtures {

namespace {

class recording_visitor {
  public:
    recording_visitor(std::string_view wanted_types, std::vector<seen_frame>& frames)
        : wanted_types_(wanted_types), frames_(frames) {}

    [[nodiscard]] bool wants_body(char type) const {
        return wanted_types_.find(type) != std::string_view::npos;
    }

    void on_frame(const frame_header& header, std::string_view body) {
        frames_.push_back({header, std::string(body)});
    }

  private:
    std::string_view wanted_types_;
    std::vector<seen_frame>& frames_;
};

// A frame as the stream itself defines it, independent of how it was split.
struct expected_frame {
    std::size_t offset = 0;
    char type = 0;
    std::uint32_t length = 0;
    bool whole = false;  // the visitor must see the complete body, not a prefix
};

struct expected_outcome {
    std::vector<expected_frame> frames;
    std::size_t forwarded = 0;
    frame_error error = frame_error::none;
    bool at_frame_boundary = true;
};

// Walks the stream header to header, as one read of unlimited size would, and applies the
// scanner's contract: a wanted frame that fits the buffer is held until whole, any other frame is
// reported once (perhaps as a prefix) and forwarded as its bytes arrive.
expected_outcome expect(std::string_view stream, const relay_setup& setup) {
    expected_outcome out;
    std::size_t pos = 0;
    while (stream.size() - pos >= frame_header_size) {
        const char type = stream[pos];
        const std::uint32_t length = load_u32(stream.data() + pos + 1);
        if (length < 4) {
            out.error = frame_error::length_too_small;
            break;
        }
        if (length > setup.max_length) {
            out.error = frame_error::length_too_large;
            break;
        }
        const std::uint64_t frame_size = std::uint64_t{length} + 1;
        const bool held_whole =
            setup.wanted_types.find(type) != std::string_view::npos && frame_size <= setup.capacity;
        if (stream.size() - pos >= frame_size) {
            out.frames.push_back({pos, type, length, held_whole});
            pos += frame_size;
            continue;
        }
        if (held_whole) break;
        out.frames.push_back({pos, type, length, false});
        out.at_frame_boundary = false;
        pos = stream.size();
    }
    out.forwarded = pos;
    return out;
}

std::string describe_frame(std::size_t index, const expected_frame& frame) {
    return "frame " + std::to_string(index) + " (type '" + std::string(1, frame.type) +
           "', length " + std::to_string(frame.length) + ", at byte " +
           std::to_string(frame.offset) + ")";
}

std::string check_frame(std::string_view stream, std::size_t index, const expected_frame& expected,
                        const seen_frame& seen) {
    if (seen.header.type != expected.type || seen.header.length != expected.length) {
        return describe_frame(index, expected) + " was reported with type '" +
               std::string(1, seen.header.type) + "' and length " +
               std::to_string(seen.header.length);
    }
    const std::size_t body_offset = expected.offset + frame_header_size;
    const std::size_t body_size = std::size_t{expected.length} - 4;
    const std::size_t arrived = std::min(body_size, stream.size() - body_offset);
    if (expected.whole && seen.body.size() != body_size) {
        return describe_frame(index, expected) + " is wanted and fits the buffer but came with " +
               std::to_string(seen.body.size()) + " body bytes";
    }
    if (seen.body.size() > arrived) {
        return describe_frame(index, expected) + " came with more body bytes than the stream has";
    }
    if (seen.body != stream.substr(body_offset, seen.body.size())) {
        return describe_frame(index, expected) +
               " came with body bytes that differ from the stream";
    }
    return {};
}

}  // namespace

relay_outcome relay(std::string_view stream, std::span<const std::size_t> read_sizes,
                    const relay_setup& setup) {
    relay_outcome out;
    frame_scanner scanner(setup.max_length);
    recording_visitor visitor(setup.wanted_types, out.frames);
    std::string buffer;
    std::size_t offset = 0;
    std::size_t next_read = 0;
    std::size_t read_left = read_sizes.empty() ? stream.size() : read_sizes[0];
    while (offset < stream.size()) {
        if (read_left == 0) {
            ++next_read;
            read_left = next_read < read_sizes.size() ? read_sizes[next_read] : stream.size();
            continue;
        }
        const std::size_t free = setup.capacity - buffer.size();
        if (free == 0) {
            out.stalled = true;
            break;
        }
        const std::size_t n = std::min({read_left, free, stream.size() - offset});
        buffer.append(stream.substr(offset, n));
        offset += n;
        read_left -= n;
        const auto result = scanner.scan(buffer, setup.capacity, visitor);
        out.forwarded.append(buffer, 0, result.forward);
        buffer.erase(0, result.forward);
        if (result.error != frame_error::none) {
            out.error = result.error;
            break;
        }
    }
    out.held = std::move(buffer);
    out.at_frame_boundary = scanner.at_frame_boundary();
    return out;
}

std::string check_relay_outcome(std::string_view stream, const relay_setup& setup,
                                const relay_outcome& outcome) {
    const expected_outcome expected = expect(stream, setup);
    if (outcome.stalled) return "the buffer filled up and the scanner forwarded nothing";
    if (outcome.error != expected.error) {
        return "error '" + std::string(to_string(outcome.error)) + "', expected '" +
               std::string(to_string(expected.error)) + "'";
    }
    if (outcome.forwarded.size() != expected.forwarded) {
        return "forwarded " + std::to_string(outcome.forwarded.size()) + " bytes, expected " +
               std::to_string(expected.forwarded);
    }
    if (outcome.forwarded != stream.substr(0, expected.forwarded)) {
        return "forwarded bytes differ from the stream";
    }
    const std::string_view rest = stream.substr(expected.forwarded);
    // After an error the relay stops reading, so it may hold only part of what follows.
    const bool held_ok =
        expected.error == frame_error::none
            ? outcome.held == rest
            : outcome.held.size() >= frame_header_size && rest.starts_with(outcome.held);
    if (!held_ok) {
        return "held " + std::to_string(outcome.held.size()) + " bytes that are not the " +
               std::to_string(rest.size()) + " unforwarded bytes of the stream";
    }
    if (outcome.at_frame_boundary != expected.at_frame_boundary) {
        return "at_frame_boundary() is " +
               std::string(outcome.at_frame_boundary ? "true" : "false") +
               " at the end of the stream";
    }
    if (outcome.frames.size() != expected.frames.size()) {
        return "reported " + std::to_string(outcome.frames.size()) + " frames, expected " +
               std::to_string(expected.frames.size());
    }
    for (std::size_t i = 0; i < expected.frames.size(); ++i) {
        if (auto problem = check_frame(stream, i, expected.frames[i], outcome.frames[i]);
            !problem.empty()) {
            return problem;
        }
    }
    return {};
}

}  // namespace pgroute::protocol::fixtures
