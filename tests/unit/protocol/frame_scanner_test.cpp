#include "protocol/frame_scanner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "protocol/message_builder.h"
#include "protocol/message_type.h"
#include "tests/unit/protocol/relay_simulator.h"

namespace pgroute::protocol {
namespace {

using fixtures::check_relay_outcome;
using fixtures::relay;
using fixtures::relay_outcome;
using fixtures::relay_setup;

constexpr std::string_view relay_wanted_types = "RKSZE";
constexpr relay_setup roomy_relay{1024, pq_large_message_limit, relay_wanted_types};

std::string frame(char type, std::string_view body) {
    message_builder msg(type);
    msg.bytes(body);
    return std::move(msg).finish();
}

// A bare header, for lengths whose frame could never be built in memory.
std::string header(char type, std::uint32_t length) {
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
std::string small_stream() {
    return frame('T', std::string("\0\1id\0", 5)) + frame('D', "row-one") +
           frame(PqMsg_CopyDone, "") + frame('C', std::string("SELECT 1\0", 9)) +
           frame(PqMsg_ReadyForQuery, "I");
}

void expect_small_stream_frames(const relay_outcome& out, std::string_view stream) {
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

TEST(frame_scanner, ReportsOneWholeFrameAndForwardsIt) {
    frame_scanner scanner(pq_large_message_limit);
    recorder seen;
    const std::string data = frame(PqMsg_ReadyForQuery, "T");
    const auto result = scanner.scan(data, 1024, seen);
    EXPECT_EQ(result.error, frame_error::none);
    EXPECT_EQ(result.forward, data.size());
    ASSERT_EQ(seen.frames.size(), 1u);
    EXPECT_EQ(seen.frames[0].first.type, PqMsg_ReadyForQuery);
    EXPECT_EQ(seen.frames[0].first.length, 5u);
    EXPECT_EQ(seen.frames[0].second, "T");
    EXPECT_TRUE(scanner.at_frame_boundary());
}

TEST(frame_scanner, ReportsTwoFramesOfOneBufferInOrder) {
    frame_scanner scanner(pq_large_message_limit);
    recorder seen;
    const std::string data = frame('C', std::string("SELECT 1\0", 9)) + frame('Z', "I");
    const auto result = scanner.scan(data, 1024, seen);
    EXPECT_EQ(result.forward, data.size());
    ASSERT_EQ(seen.frames.size(), 2u);
    EXPECT_EQ(seen.frames[0].first.type, 'C');
    EXPECT_EQ(seen.frames[0].second, std::string("SELECT 1\0", 9));
    EXPECT_EQ(seen.frames[1].first.type, 'Z');
    EXPECT_EQ(seen.frames[1].second, "I");
}

TEST(frame_scanner, ReportsAnEmptyBodiedFrameFromItsHeaderAlone) {
    frame_scanner scanner(pq_large_message_limit);
    recorder seen;
    const std::string data = frame(PqMsg_CopyDone, "");
    ASSERT_EQ(data.size(), frame_header_size);
    const auto result = scanner.scan(data, 1024, seen);
    EXPECT_EQ(result.forward, frame_header_size);
    ASSERT_EQ(seen.frames.size(), 1u);
    EXPECT_EQ(seen.frames[0].first.length, 4u);
    EXPECT_TRUE(seen.frames[0].second.empty());
}

TEST(frame_scanner, ForwardsNothingFromAnEmptyBuffer) {
    frame_scanner scanner(pq_large_message_limit);
    recorder seen;
    const auto result = scanner.scan({}, 1024, seen);
    EXPECT_EQ(result.forward, 0u);
    EXPECT_EQ(result.error, frame_error::none);
    EXPECT_TRUE(seen.frames.empty());
}

TEST(frame_scanner, KeepsAHeaderSplitInsideTheLengthUntilItCompletes) {
    frame_scanner scanner(pq_large_message_limit);
    recorder seen;
    const std::string data = frame('D', "payload");
    for (std::size_t cut = 1; cut < frame_header_size; ++cut) {
        const auto partial = scanner.scan(std::string_view(data).substr(0, cut), 1024, seen);
        EXPECT_EQ(partial.forward, 0u) << "cut at " << cut;
        EXPECT_EQ(partial.error, frame_error::none) << "cut at " << cut;
    }
    EXPECT_TRUE(seen.frames.empty());
    const auto whole = scanner.scan(data, 1024, seen);
    EXPECT_EQ(whole.forward, data.size());
    ASSERT_EQ(seen.frames.size(), 1u);
    EXPECT_EQ(seen.frames[0].second, "payload");
}

TEST(frame_scanner, YieldsTheSameFramesWhateverTheTwoWaySplit) {
    const std::string stream = small_stream();
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        SCOPED_TRACE("split at byte " + std::to_string(cut));
        const std::vector<std::size_t> reads = {cut, stream.size() - cut};
        expect_small_stream_frames(relay(stream, reads, roomy_relay), stream);
    }
}

TEST(frame_scanner, YieldsTheSameFramesWhenFedOneByteAtATime) {
    const std::string stream = small_stream();
    const std::vector<std::size_t> reads(stream.size(), 1);
    expect_small_stream_frames(relay(stream, reads, roomy_relay), stream);
}

TEST(frame_scanner, StreamsFramesLargerThanTheBufferAlikeUnderEverySplit) {
    constexpr relay_setup tiny_relay{16, pq_large_message_limit, relay_wanted_types};
    const std::string stream = frame('D', std::string(40, 'd')) +
                               frame(PqMsg_ErrorResponse, std::string(30, 'e')) +
                               frame(PqMsg_ReadyForQuery, "T");
    std::vector<std::vector<std::size_t>> splits = {std::vector<std::size_t>(stream.size(), 1)};
    for (std::size_t cut = 0; cut <= stream.size(); ++cut)
        splits.push_back({cut, stream.size() - cut});
    for (const auto& reads : splits) {
        SCOPED_TRACE("first read of " + std::to_string(reads[0]) + " bytes, " +
                     std::to_string(reads.size()) + " reads");
        const relay_outcome out = relay(stream, reads, tiny_relay);
        EXPECT_EQ(check_relay_outcome(stream, tiny_relay, out), "");
        ASSERT_EQ(out.frames.size(), 3u);
        EXPECT_EQ(out.frames[0].header.length, 44u);
        EXPECT_EQ(out.frames[1].header.length, 34u);
        EXPECT_EQ(out.frames[2].body, "T");
        EXPECT_EQ(out.forwarded, stream);
        EXPECT_TRUE(out.at_frame_boundary);
    }
}

TEST(frame_scanner, HoldsAWantedFrameUntilWhole) {
    frame_scanner scanner(pq_large_message_limit);
    recorder seen;
    const std::string data = frame(PqMsg_ErrorResponse, std::string(100, 'x'));
    const auto first = scanner.scan(std::string_view(data).substr(0, 50), 1024, seen);
    EXPECT_EQ(first.forward, 0u);
    EXPECT_TRUE(seen.frames.empty());
    EXPECT_TRUE(scanner.at_frame_boundary());
    const auto second = scanner.scan(data, 1024, seen);
    EXPECT_EQ(second.forward, data.size());
    ASSERT_EQ(seen.frames.size(), 1u);
    EXPECT_EQ(seen.frames[0].second, std::string(100, 'x'));
}

TEST(frame_scanner, HoldsAWantedFrameBehindTheFramesBeforeIt) {
    frame_scanner scanner(pq_large_message_limit);
    recorder seen;
    const std::string before = frame('D', "row");
    const std::string data = before + frame(PqMsg_ReadyForQuery, "I");
    const auto result = scanner.scan(std::string_view(data).substr(0, data.size() - 1), 1024, seen);
    EXPECT_EQ(result.forward, before.size());
    ASSERT_EQ(seen.frames.size(), 1u);
    EXPECT_EQ(seen.frames[0].first.type, 'D');
}

TEST(frame_scanner, StreamsAnUnwantedFrameAsItsBytesArrive) {
    frame_scanner scanner(pq_large_message_limit);
    recorder seen;
    const std::string data = frame('D', std::string(100, 'x'));
    const auto first = scanner.scan(std::string_view(data).substr(0, 50), 1024, seen);
    EXPECT_EQ(first.forward, 50u);
    ASSERT_EQ(seen.frames.size(), 1u);
    EXPECT_EQ(seen.frames[0].first.length, 104u);
    EXPECT_EQ(seen.frames[0].second, std::string(45, 'x'));
    EXPECT_FALSE(scanner.at_frame_boundary());
    const auto rest = scanner.scan(std::string_view(data).substr(50), 1024, seen);
    EXPECT_EQ(rest.forward, data.size() - 50);
    EXPECT_EQ(seen.frames.size(), 1u);
    EXPECT_TRUE(scanner.at_frame_boundary());
}

TEST(frame_scanner, StreamsAWantedFrameLargerThanTheBufferReportingItOnce) {
    constexpr std::size_t capacity = 64;
    std::string body(1000, '\0');
    for (std::size_t i = 0; i < body.size(); ++i)
        body[i] = static_cast<char>('a' + i % 26);
    const std::string data = frame(PqMsg_ErrorResponse, body) + frame(PqMsg_ReadyForQuery, "I");
    const std::size_t big_frame_size = body.size() + frame_header_size;

    frame_scanner scanner(pq_large_message_limit);
    recorder seen;
    std::string buffer;
    std::size_t offset = 0;
    std::size_t forwarded = 0;
    while (offset < data.size()) {
        const std::size_t n = std::min(capacity - buffer.size(), data.size() - offset);
        buffer.append(data, offset, n);
        offset += n;
        const auto result = scanner.scan(buffer, capacity, seen);
        ASSERT_EQ(result.error, frame_error::none);
        forwarded += result.forward;
        buffer.erase(0, result.forward);
        EXPECT_EQ(scanner.at_frame_boundary(), forwarded >= big_frame_size)
            << "after forwarding " << forwarded << " bytes";
    }
    EXPECT_EQ(forwarded, data.size());
    ASSERT_EQ(seen.frames.size(), 2u);
    EXPECT_EQ(seen.frames[0].first.length, body.size() + 4);
    EXPECT_EQ(seen.frames[0].second, body.substr(0, capacity - frame_header_size));
    EXPECT_EQ(seen.frames[1].second, "I");
}

TEST(frame_scanner, NeverParsesTheContinuationOfAStreamedFrameAsHeaders) {
    frame_scanner scanner(0xffffffff);
    recorder seen;
    const std::string start = header('d', 0xffffffff) + "abc";
    const auto first = scanner.scan(start, 1024, seen);
    EXPECT_EQ(first.forward, start.size());
    ASSERT_EQ(seen.frames.size(), 1u);
    EXPECT_EQ(seen.frames[0].first.frame_size(), std::size_t{1} << 32);
    // Zero bytes would read as a length below 4 if taken for a header.
    const std::string continuation(4096, '\0');
    for (int i = 0; i < 4; ++i) {
        const auto more = scanner.scan(continuation, 1024, seen);
        EXPECT_EQ(more.error, frame_error::none);
        EXPECT_EQ(more.forward, continuation.size());
    }
    EXPECT_EQ(seen.frames.size(), 1u);
    EXPECT_FALSE(scanner.at_frame_boundary());
}

class frame_scanner_too_small : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(frame_scanner_too_small, RejectsALengthThatCannotCountItself) {
    frame_scanner scanner(pq_large_message_limit);
    recorder seen;
    const std::string good = frame('D', "row");
    const std::string data = good + header('D', GetParam()) + std::string(8, 'x');
    const auto result = scanner.scan(data, 1024, seen);
    EXPECT_EQ(result.error, frame_error::length_too_small);
    EXPECT_EQ(result.forward, good.size());
    EXPECT_EQ(seen.frames.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(LengthsZeroToThree, frame_scanner_too_small,
                         ::testing::Values(0u, 1u, 2u, 3u));

TEST(frame_scanner, AcceptsALengthEqualToTheMaximum) {
    frame_scanner scanner(104);
    recorder seen;
    const std::string data = frame('D', std::string(100, 'x'));
    const auto result = scanner.scan(data, 1024, seen);
    EXPECT_EQ(result.error, frame_error::none);
    EXPECT_EQ(result.forward, data.size());
}

TEST(frame_scanner, RejectsALengthAboveTheMaximum) {
    frame_scanner scanner(104);
    recorder seen;
    const std::string good = frame('D', "row");
    const std::string data = good + frame('D', std::string(101, 'x'));
    const auto result = scanner.scan(data, 1024, seen);
    EXPECT_EQ(result.error, frame_error::length_too_large);
    EXPECT_EQ(result.forward, good.size());
    EXPECT_EQ(seen.frames.size(), 1u);
}

TEST(frame_scanner, RejectsLengthTwoToThe31MinusOneUnderPostgresLimit) {
    frame_scanner scanner(pq_large_message_limit);
    recorder seen;
    const auto result = scanner.scan(header('d', 0x7fffffff), 1024, seen);
    EXPECT_EQ(result.error, frame_error::length_too_large);
    EXPECT_EQ(result.forward, 0u);
}

TEST(frame_scanner, RejectsLengthAllOnesUnderPostgresLimit) {
    frame_scanner scanner(pq_large_message_limit);
    recorder seen;
    const auto result = scanner.scan(header('d', 0xffffffff), 1024, seen);
    EXPECT_EQ(result.error, frame_error::length_too_large);
}

TEST(frame_scanner, StreamsLengthTwoToThe31MinusOneWhenTheMaximumAllowsIt) {
    frame_scanner scanner(0xffffffff);
    recorder seen;
    const std::string data = header(PqMsg_ErrorResponse, 0x7fffffff) + "xyz";
    const auto result = scanner.scan(data, 1024, seen);
    EXPECT_EQ(result.error, frame_error::none);
    EXPECT_EQ(result.forward, data.size());
    ASSERT_EQ(seen.frames.size(), 1u);
    EXPECT_EQ(seen.frames[0].first.length, 0x7fffffffu);
    EXPECT_EQ(seen.frames[0].first.body_size(), 0x7fffffffu - 4);
    EXPECT_EQ(seen.frames[0].second, "xyz");
    EXPECT_FALSE(scanner.at_frame_boundary());
}

TEST(frame_scanner, StreamsLengthAllOnesWithoutOverflow) {
    frame_scanner scanner(0xffffffff);
    recorder seen;
    const std::string data = header('d', 0xffffffff);
    const auto result = scanner.scan(data, 1024, seen);
    EXPECT_EQ(result.error, frame_error::none);
    EXPECT_EQ(result.forward, data.size());
    ASSERT_EQ(seen.frames.size(), 1u);
    EXPECT_EQ(seen.frames[0].first.frame_size(), std::size_t{0x100000000});
    EXPECT_FALSE(scanner.at_frame_boundary());
}

TEST(frame_scanner, DescribesEachErrorDistinctly) {
    EXPECT_EQ(to_string(frame_error::none), "none");
    EXPECT_EQ(to_string(frame_error::length_too_small), "message length below 4");
    EXPECT_EQ(to_string(frame_error::length_too_large),
              "message length above the configured maximum");
}

// A realistic mix: small frames, wanted ones, and frames larger than the buffer.
std::string random_stream(std::mt19937& rng, std::size_t messages, std::size_t capacity) {
    static constexpr std::string_view types = "TDCZSKRENdcA";
    std::string stream;
    for (std::size_t i = 0; i < messages; ++i) {
        const char type = types[rng() % types.size()];
        const std::size_t size = rng() % 4 == 0 ? rng() % (3 * capacity) : rng() % 64;
        std::string body(size, '\0');
        for (auto& c : body)
            c = static_cast<char>(rng());
        stream += frame(type, body);
    }
    return stream;
}

std::vector<std::size_t> random_reads(std::mt19937& rng, std::size_t total, std::size_t capacity) {
    std::vector<std::size_t> reads;
    for (std::size_t sum = 0; sum < total;) {
        const std::size_t n = rng() % 2 == 0 ? rng() % 8 : rng() % (capacity + 1);
        reads.push_back(n);
        sum += n;
    }
    return reads;
}

TEST(frame_scanner, ReproducesARandomMixUnderRandomSplits) {
    std::mt19937 rng(20240611);
    for (const std::size_t capacity : {std::size_t{16}, std::size_t{256}, std::size_t{16384}}) {
        const relay_setup setup{capacity, pq_large_message_limit, relay_wanted_types};
        const std::string stream = random_stream(rng, 300, capacity);
        const std::vector<std::size_t> one_read = {stream.size()};
        const relay_outcome reference = relay(stream, one_read, setup);
        ASSERT_EQ(check_relay_outcome(stream, setup, reference), "");
        ASSERT_EQ(reference.frames.size(), 300u);
        for (int round = 0; round < 40; ++round) {
            SCOPED_TRACE("capacity " + std::to_string(capacity) + ", round " +
                         std::to_string(round));
            const relay_outcome out =
                relay(stream, random_reads(rng, stream.size(), capacity), setup);
            ASSERT_EQ(check_relay_outcome(stream, setup, out), "");
            EXPECT_EQ(out.forwarded, stream);
            EXPECT_TRUE(out.held.empty());
            ASSERT_EQ(out.frames.size(), reference.frames.size());
            for (std::size_t i = 0; i < out.frames.size(); ++i) {
                EXPECT_EQ(out.frames[i].header.type, reference.frames[i].header.type);
                EXPECT_EQ(out.frames[i].header.length, reference.frames[i].header.length);
            }
        }
    }
}

}  // namespace
}  // namespace pgroute::protocol

namespace pgroute::protocol {
namespace {

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
