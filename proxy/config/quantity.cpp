#include "proxy/config/quantity.h"

#include <array>
#include <charconv>
#include <limits>
#include <optional>
#include <string>

namespace pgroute::proxy {
namespace {

struct quantity_unit {
    std::string_view name;
    std::uint64_t multiplier;
};

constexpr std::array size_units{
    quantity_unit{"B", 1},
    quantity_unit{"kB", std::uint64_t{1} << 10},
    quantity_unit{"MB", std::uint64_t{1} << 20},
    quantity_unit{"GB", std::uint64_t{1} << 30},
    quantity_unit{"TB", std::uint64_t{1} << 40},
};

constexpr std::array duration_units_ms{
    quantity_unit{"ms", 1},       quantity_unit{"s", 1000},      quantity_unit{"m", 60'000},
    quantity_unit{"min", 60'000}, quantity_unit{"h", 3'600'000}, quantity_unit{"d", 86'400'000},
};

template <std::size_t n>
std::string unit_list(const std::array<quantity_unit, n>& units) {
    std::string list;
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0) list += i + 1 == n ? " or " : ", ";
        list += units[i].name;
    }
    return list;
}

// Parses "<digits>[ ]<unit>" into count * unit multiplier; `default_multiplier` is used when the
// unit is omitted, and an absent default makes the unit mandatory.
template <std::size_t n>
health::parsed<std::uint64_t> parse_quantity(std::string_view kind, std::string_view text,
                                             const std::array<quantity_unit, n>& units,
                                             std::optional<std::uint64_t> default_multiplier) {
    const auto fail = [&](std::string_view why) {
        return health::parse_failure{"invalid " + std::string(kind) + " \"" + std::string(text) +
                                     "\": " + std::string(why)};
    };
    if (text.empty()) return fail("empty value");
    if (text.front() == '-') return fail("must not be negative");

    std::uint64_t count = 0;
    const auto [number_end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
    if (ec == std::errc::result_out_of_range) return fail("number too large");
    if (ec != std::errc{}) return fail("expected a whole number followed by a unit");

    std::string_view unit = text.substr(static_cast<std::size_t>(number_end - text.data()));
    if (!unit.empty() && unit.front() == '.') return fail("must be a whole number");
    while (!unit.empty() && unit.front() == ' ')
        unit.remove_prefix(1);

    std::uint64_t multiplier = 0;
    if (unit.empty()) {
        if (!default_multiplier) return fail("missing unit (use " + unit_list(units) + ")");
        multiplier = *default_multiplier;
    } else {
        for (const quantity_unit& candidate : units) {
            if (candidate.name == unit) multiplier = candidate.multiplier;
        }
        if (multiplier == 0) {
            return fail("unknown unit \"" + std::string(unit) + "\" (use " + unit_list(units) +
                        ")");
        }
    }
    if (count > std::numeric_limits<std::uint64_t>::max() / multiplier) {
        return fail("too large");
    }
    return count * multiplier;
}

}  // namespace

health::parsed<std::uint64_t> parse_size(std::string_view text) {
    return parse_quantity("size", text, size_units, 1);
}

health::parsed<std::chrono::milliseconds> parse_duration(std::string_view text) {
    const health::parsed<std::uint64_t> ms =
        parse_quantity("duration", text, duration_units_ms, std::nullopt);
    if (!ms) return health::parse_failure{ms.error()};
    using rep = std::chrono::milliseconds::rep;
    if (*ms > static_cast<std::uint64_t>(std::numeric_limits<rep>::max())) {
        return health::parse_failure{"invalid duration \"" + std::string(text) + "\": too large"};
    }
    return std::chrono::milliseconds{static_cast<rep>(*ms)};
}

}  // namespace pgroute::proxy
