// Frame scanning as the relay drives it: a 16 KiB buffer, reads of up to its free space, scan,
// forward, keep the tail. Bytes/s is the relay's ceiling for one direction on one core, before
// any socket cost.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

#include "bench/micro/wire_streams.h"
#include "protocol/frame_scanner.h"
#include "protocol/message_type.h"

namespace pgroute::bench {
namespace {

using protocol::frame_header;
using protocol::frame_scanner;

constexpr std::size_t relay_buffer_size = std::size_t{16} * 1024;

// Asks for the bodies the proxy decodes from a server (R, K, S, Z, E) and touches each, as the
// proxy's visitor would.
struct server_side_visitor {
    std::size_t frames = 0;

    [[nodiscard]] bool wants_body(char type) const {
        return type == 'R' || type == 'K' || type == 'S' || type == 'Z' || type == 'E';
    }
    void on_frame(const frame_header& header, std::string_view body) {
        ++frames;
        benchmark::DoNotOptimize(header.type);
        benchmark::DoNotOptimize(body.data());
    }
};

// Returns the number of bytes forwarded; the "read" is a memcpy from the prepared stream.
std::size_t relay_stream(std::string_view stream, std::vector<char>& buffer,
                         server_side_visitor& visitor) {
    frame_scanner scanner(protocol::pq_large_message_limit);
    std::size_t held = 0;
    std::size_t forwarded = 0;
    for (std::size_t offset = 0; offset < stream.size();) {
        const std::size_t n = std::min(buffer.size() - held, stream.size() - offset);
        std::memcpy(buffer.data() + held, stream.data() + offset, n);
        offset += n;
        held += n;
        const auto result = scanner.scan({buffer.data(), held}, buffer.size(), visitor);
        forwarded += result.forward;
        std::memmove(buffer.data(), buffer.data() + result.forward, held - result.forward);
        held -= result.forward;
    }
    return forwarded;
}

void run_relay(benchmark::State& state, const std::string& stream) {
    std::vector<char> buffer(relay_buffer_size);
    server_side_visitor visitor;
    for (auto _ : state) {
        const std::size_t forwarded = relay_stream(stream, buffer, visitor);
        if (forwarded != stream.size()) {
            state.SkipWithError("the relay loop did not forward the whole stream");
            break;
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * stream.size()));
    state.counters["frames"] =
        benchmark::Counter(static_cast<double>(visitor.frames), benchmark::Counter::kIsRate);
}

void BM_scan_data_row_result(benchmark::State& state) {
    run_relay(state, data_row_result(1000));
}
BENCHMARK(BM_scan_data_row_result)->Unit(benchmark::kMicrosecond);

void BM_scan_copy_out_64k_frames(benchmark::State& state) {
    run_relay(state, copy_out_result(std::size_t{16} * 1024 * 1024, std::size_t{64} * 1024));
}
BENCHMARK(BM_scan_copy_out_64k_frames)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace pgroute::bench
