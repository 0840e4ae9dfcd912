// libFuzzer target: the reader of Patroni's replayed_timestamp on arbitrary text, against an
// independent reading of the same grammar that leaves the calendar to libc (timegm, gmtime_r).
// Both must agree on what is a timestamp and on the instant, and what is accepted must read back
// as the same instant from its UTC rendering.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "health/patroni/timestamp.h"
#include "tests/fuzz/invariant.h"
#include "tests/fuzz/timestamp_text.h"

namespace {

using pgroute::fuzz::require;
using pgroute::health::parse_patroni_timestamp;

struct timestamp_reading {
    std::int64_t seconds;      // since the epoch, UTC
    std::int64_t nanoseconds;  // the fraction, digits past the ninth dropped
    int year;                  // as written, before the offset applies
};

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

int number(std::string_view text, std::size_t at, std::size_t width) {
    int value = 0;
    for (std::size_t i = 0; i < width; ++i)
        value = value * 10 + (text[at + i] - '0');
    return value;
}

// "YYYY-MM-DD(' '|'T')HH:MM:SS[.digits](Z|(+|-)HH:MM)", by position.
std::optional<timestamp_reading> oracle(std::string_view text) {
    constexpr std::string_view shape = "dddd-dd-dd?dd:dd:dd";
    if (text.size() < shape.size()) return std::nullopt;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        const bool fits = shape[i] == 'd'   ? is_digit(text[i])
                          : shape[i] == '?' ? text[i] == ' ' || text[i] == 'T'
                                            : text[i] == shape[i];
        if (!fits) return std::nullopt;
    }
    std::size_t at = shape.size();
    std::int64_t fraction = 0;
    if (at < text.size() && text[at] == '.') {
        const std::size_t first = ++at;
        std::int64_t scale = 100'000'000;
        for (; at < text.size() && is_digit(text[at]); ++at, scale /= 10)
            fraction += (text[at] - '0') * scale;
        if (at == first) return std::nullopt;
    }
    const std::string_view zone = text.substr(at);
    int offset_minutes = 0;
    if (zone != "Z") {
        if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || !is_digit(zone[1]) ||
            !is_digit(zone[2]) || zone[3] != ':' || !is_digit(zone[4]) || !is_digit(zone[5])) {
            return std::nullopt;
        }
        const int hours = number(zone, 1, 2);
        const int minutes = number(zone, 4, 2);
        if (hours > 23 || minutes > 59) return std::nullopt;
        offset_minutes = (zone[0] == '+' ? 1 : -1) * (hours * 60 + minutes);
    }
    std::tm fields{};
    fields.tm_year = number(text, 0, 4) - 1900;
    fields.tm_mon = number(text, 5, 2) - 1;
    fields.tm_mday = number(text, 8, 2);
    fields.tm_hour = number(text, 11, 2);
    fields.tm_min = number(text, 14, 2);
    fields.tm_sec = number(text, 17, 2);
    const std::tm written = fields;
    const std::time_t seconds = timegm(&fields);
    // timegm carries out-of-range fields over (February 30 is March 1); a real time does not move.
    std::tm back{};
    if (gmtime_r(&seconds, &back) == nullptr || back.tm_year != written.tm_year ||
        back.tm_mon != written.tm_mon || back.tm_mday != written.tm_mday ||
        back.tm_hour != written.tm_hour || back.tm_min != written.tm_min ||
        back.tm_sec != written.tm_sec) {
        return std::nullopt;
    }
    return timestamp_reading{seconds - std::int64_t{offset_minutes} * 60, fraction,
                             number(text, 0, 4)};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace std::chrono;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto parsed = parse_patroni_timestamp(text);
    const auto expected = oracle(text);
    if (!parsed) {
        // Near the ends of system_clock's range the parser may refuse what libc can count.
        require(!expected || expected->year < 1700 || expected->year > 2200,
                "every timestamp of the grammar in years 1700 to 2200 is accepted");
        return 0;
    }
    require(expected.has_value(), "only timestamps of the grammar are accepted");
    const auto exact = time_point_cast<nanoseconds>(*parsed);
    require(floor<seconds>(exact).time_since_epoch().count() == expected->seconds,
            "the instant, to the second, is the one libc computes");
    require(exact - floor<seconds>(exact) ==
                duration_cast<system_clock::duration>(nanoseconds{expected->nanoseconds}),
            "the fraction is the digits written, to the clock's precision");
    require(parse_patroni_timestamp(pgroute::fuzz::patroni_timestamp_text(*parsed)) == *parsed,
            "an accepted timestamp reads back from its UTC rendering");
    return 0;
}
