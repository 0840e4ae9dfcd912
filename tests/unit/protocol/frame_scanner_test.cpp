#include "protocol/frame_scanner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "protocol/message_type.h"
#include "tests/unit/protocol/frame_fixtures.h"

namespace pgroute::protocol {
namespace {

using namespace fixtures;

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
