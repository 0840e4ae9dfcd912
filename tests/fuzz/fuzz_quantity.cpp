// libFuzzer target: pgroute.yaml's sizes and durations ("16kB", "500ms") on arbitrary text,
// against an independent reading in 128-bit arithmetic: both must agree on what is accepted and
// on its value, overflow included, and a rejection must name the text it rejected.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "proxy/config/quantity.h"
#include "tests/fuzz/invariant.h"

namespace {

using pgroute::fuzz::require;
using quantity_unit = std::pair<std::string_view, std::uint64_t>;
using wide_uint = unsigned __int128;

constexpr std::array<quantity_unit, 5> size_units{{{"B", 1},
                                                   {"kB", 1024},
                                                   {"MB", 1024 * 1024},
                                                   {"GB", 1024 * 1024 * 1024},
                                                   {"TB", std::uint64_t{1} << 40}}};
constexpr std::array<quantity_unit, 6> duration_units{
    {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"min", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}}};

// Digits, spaces, then a unit (when `unit_required`, or else optional); nullopt if rejected.
template <std::size_t N>
std::optional<std::uint64_t> oracle(std::string_view text,
                                    const std::array<quantity_unit, N>& units, bool unit_required,
                                    wide_uint max) {
    const wide_uint cap = wide_uint{1}
                          << 64;  // beyond any accepted count; times a unit, still in range
    wide_uint count = 0;
    std::size_t at = 0;
    for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
        count = count * 10 + static_cast<unsigned>(text[at] - '0');
        if (count > cap) count = cap;
    }
    if (at == 0) return std::nullopt;
    while (at < text.size() && text[at] == ' ')
        ++at;
    const std::string_view unit = text.substr(at);
    wide_uint multiplier = 0;
    if (unit.empty()) {
        if (unit_required) return std::nullopt;
        multiplier = 1;
    }
    for (const auto& [name, value] : units) {
        if (name == unit) multiplier = value;
    }
    if (multiplier == 0 || count * multiplier > max) return std::nullopt;
    return static_cast<std::uint64_t>(count * multiplier);
}

template <typename T>
void check_rejection(const pgroute::health::parsed<T>& parsed, std::string_view kind,
                     std::string_view text) {
    const std::string prefix = "invalid " + std::string(kind) + " \"" + std::string(text) + "\": ";
    require(parsed.error().starts_with(prefix) && parsed.error().size() > prefix.size(),
            "a rejection names the text and says why");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    const auto parsed_size = pgroute::proxy::parse_size(text);
    const auto size_expected =
        oracle(text, size_units, false, std::numeric_limits<std::uint64_t>::max());
    require(parsed_size.has_value() == size_expected.has_value(),
            "a size is accepted exactly when it is digits and an optional known unit, in range");
    if (parsed_size) {
        require(*parsed_size == *size_expected, "a size is its count times its unit");
    } else {
        check_rejection(parsed_size, "size", text);
    }

    const auto parsed_duration = pgroute::proxy::parse_duration(text);
    const auto duration_expected = oracle(
        text, duration_units, true, std::numeric_limits<std::chrono::milliseconds::rep>::max());
    require(parsed_duration.has_value() == duration_expected.has_value(),
            "a duration is accepted exactly when it is digits and a known unit, in range");
    if (parsed_duration) {
        require(static_cast<std::uint64_t>((*parsed_duration).count()) == *duration_expected,
                "a duration is its count times its unit, in milliseconds");
    } else {
        check_rejection(parsed_duration, "duration", text);
    }
    return 0;
}
