// What the frame_scanner tests build their streams from and record the scanner's reports with
// (frame_scanner_test.cpp, frame_scanner_length_test.cpp, frame_scanner_verdicts_test.cpp).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/frame_scanner.h"
#include "protocol/message_builder.h"
#include "protocol/message_type.h"
#include "tests/unit/protocol/relay_simulator.h"

namespace pgroute::protocol::fixtures {

inline constexpr std::string_view relay_wanted_types = "RKSZE";
inline constexpr relay_setup roomy_relay{1024, pq_large_message_limit, relay_wanted_types};

inline std::string frame(char type, std::string_view body) {
    message_builder msg(type);
    msg.bytes(body);
    return std::move(msg).finish();
}

// A bare header, for lengths whose frame could never be built in memory.
inline std::string header(char type, std::uint32_t length) {
    return {type, static_cast<char>(length >> 24), static_cast<char>(length >> 16),
            static_cast<char>(length >> 8), static_cast<char>(length)};
}

// Records what the scanner reports, one scan at a time.
struct recorder {
    std::string_view wanted = relay_wanted_types;
    std::vector<std::pair<frame_header, std::string>> frames;

    [[nodiscard]] bool wants_body(char type) const {
        return wanted.find(type) != std::string_view::npos;
    }
    void on_frame(const frame_header& h, std::string_view body) {
        frames.emplace_back(h, std::string(body));
    }
};

// A short exchange mixing wanted and streamed types, with an empty-bodied frame.
inline std::string small_stream() {
    return frame('T', std::string("\0\1id\0", 5)) + frame('D', "row-one") +
           frame(PqMsg_CopyDone, "") + frame('C', std::string("SELECT 1\0", 9)) +
           frame(PqMsg_ReadyForQuery, "I");
}

inline void expect_small_stream_frames(const relay_outcome& out, std::string_view stream) {
    ASSERT_EQ(out.frames.size(), 5u);
    const std::string types = {'T', 'D', PqMsg_CopyDone, 'C', PqMsg_ReadyForQuery};
    const std::vector<std::uint32_t> lengths = {9, 11, 4, 13, 5};
    for (std::size_t i = 0; i < out.frames.size(); ++i) {
        EXPECT_EQ(out.frames[i].header.type, types[i]) << "frame " << i;
        EXPECT_EQ(out.frames[i].header.length, lengths[i]) << "frame " << i;
    }
    EXPECT_EQ(out.frames[4].body, "I");
    EXPECT_EQ(out.forwarded, stream);
    EXPECT_TRUE(out.held.empty());
    EXPECT_TRUE(out.at_frame_boundary);
    EXPECT_EQ(check_relay_outcome(stream, roomy_relay, out), "");
}

}  // namespace pgroute::protocol::fixtures
