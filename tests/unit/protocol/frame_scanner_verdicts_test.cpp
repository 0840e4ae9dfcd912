// The verdicts a visitor gives the scanner per frame: hold, stop before, stop after.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "protocol/frame_scanner.h"
#include "protocol/message_type.h"
#include "tests/unit/protocol/frame_fixtures.h"

namespace pgroute::protocol {
namespace {

using namespace fixtures;

// Decides by type: the verdicts of the relay's per-message seam.
struct judge {
    char type = 0;  // the type it rules on; every other frame is forwarded
    frame_verdict verdict = frame_verdict::forward;
    std::string shown;  // the types it was shown, in order

    [[nodiscard]] bool wants_body(char t) const { return t == 'Z'; }
    frame_verdict on_frame(const frame_header& h, std::span<char> body) {
        shown.push_back(h.type);
        if (h.type == 'Z' && !body.empty()) body[0] = 'T';  // a rewrite in place
        return h.type == type ? verdict : frame_verdict::forward;
    }
};

const std::string three_frames = frame('C', "one") + frame('Z', "I") + frame('D', "two");

TEST(frame_scanner_verdicts, HoldStopsBeforeTheFrameAndReleaseLetsItPassUnasked) {
    std::string buffer = three_frames;
    frame_scanner scanner(pq_large_message_limit);
    judge on_z{'Z', frame_verdict::hold, {}};
    const auto held = scanner.scan_in_place(buffer, 1024, on_z);
    EXPECT_EQ(held.forward, frame('C', "one").size());
    EXPECT_EQ(held.halt, frame_verdict::hold);
    EXPECT_EQ(on_z.shown, "CZ");

    buffer.erase(0, held.forward);
    scanner.release_held();
    const auto released = scanner.scan_in_place(buffer, 1024, on_z);
    EXPECT_EQ(released.forward, buffer.size());
    EXPECT_FALSE(released.halt);
    EXPECT_EQ(on_z.shown, "CZD");  // the held frame was not shown again
}

TEST(frame_scanner_verdicts, StopBeforeLeavesTheFrameAndStopAfterForwardsIt) {
    std::string buffer = three_frames;
    frame_scanner before(pq_large_message_limit);
    judge stop_before{'Z', frame_verdict::stop_before, {}};
    const auto b = before.scan_in_place(buffer, 1024, stop_before);
    EXPECT_EQ(b.forward, frame('C', "one").size());
    EXPECT_EQ(b.halt, frame_verdict::stop_before);

    frame_scanner after(pq_large_message_limit);
    judge stop_after{'Z', frame_verdict::stop_after, {}};
    const auto a = after.scan_in_place(buffer, 1024, stop_after);
    EXPECT_EQ(a.forward, (frame('C', "one") + frame('Z', "I")).size());
    EXPECT_EQ(a.halt, frame_verdict::stop_after);
    EXPECT_EQ(buffer.substr(frame('C', "one").size()), frame('Z', "T") + frame('D', "two"));
}

TEST(frame_scanner_verdicts, StopAfterOnAFrameShownInPiecesStopsBeforeIt) {
    const std::string big = frame('D', std::string(100, 'x'));
    std::string buffer = big.substr(0, 20);
    frame_scanner scanner(pq_large_message_limit);
    judge on_d{'D', frame_verdict::stop_after, {}};
    const auto r = scanner.scan_in_place(buffer, 1024, on_d);
    EXPECT_EQ(r.forward, 0u);
    EXPECT_EQ(r.halt, frame_verdict::stop_before);
    EXPECT_TRUE(scanner.at_frame_boundary());
}

}  // namespace
}  // namespace pgroute::protocol
