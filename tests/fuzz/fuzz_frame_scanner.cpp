// libFuzzer target: relays arbitrary bytes through the frame scanner with the buffer size, length
// ceiling, wanted types and read sizes drawn from the input, then holds the outcome to the same
// invariants as the unit tests (relay_simulator). Input layout, so seeds can be written by hand:
//   byte 0      buffer capacity = 5 + 16 * b
//   byte 1      length ceiling: 255 = 0xffffffff, >= 128 = pq_large_message_limit, else 4 + b * b
//   byte 2      bit i set = the visitor wants type "RKSZEDdC"[i] whole
//   byte 3      k = b % 32 read sizes follow, one byte each; later reads fill the buffer
//   the rest    the stream
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/byte_reader.h"
#include "protocol/message_type.h"
#include "tests/fuzz/invariant.h"
#include "tests/unit/protocol/relay_simulator.h"

namespace {

using namespace pgroute::protocol;

std::uint32_t max_length_from(std::uint8_t b) {
    if (b == 255) return 0xffffffff;
    if (b >= 128) return pq_large_message_limit;
    return 4 + std::uint32_t{b} * b;
}

std::string wanted_types_from(std::uint8_t mask) {
    static constexpr std::string_view types = "RKSZEDdC";
    std::string wanted;
    for (std::size_t i = 0; i < types.size(); ++i) {
        if (mask & (1u << i)) wanted.push_back(types[i]);
    }
    return wanted;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    byte_reader input(std::string_view(reinterpret_cast<const char*>(data), size));
    const std::size_t capacity = frame_header_size + 16 * std::size_t{input.u8()};
    const std::uint32_t max_length = max_length_from(input.u8());
    const std::string wanted = wanted_types_from(input.u8());
    std::vector<std::size_t> reads(input.u8() % 32);
    for (auto& read : reads)
        read = input.u8();
    const std::string_view stream = input.rest();

    const fixtures::relay_setup setup{capacity, max_length, wanted};
    const auto outcome = fixtures::relay(stream, reads, setup);
    const std::string problem = fixtures::check_relay_outcome(stream, setup, outcome);
    pgroute::fuzz::require(problem.empty(), problem);
    return 0;
}
