#include "health/patroni/timestamp.h"

#include <cstdint>

namespace pgroute::health {
namespace {

// A cursor that reads fixed-width decimal fields and literal characters, failing sticky.
class timestamp_reader {
  public:
    explicit timestamp_reader(std::string_view text) : text_(text) {}

    int digits(std::size_t width) {
        int value = 0;
        for (std::size_t i = 0; i < width; ++i) {
            if (!good_ || pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9') {
                good_ = false;
                return 0;
            }
            value = value * 10 + (text_[pos_++] - '0');
        }
        return value;
    }

    void expect(char c) {
        if (!accept(c)) good_ = false;
    }

    bool accept(char c) {
        if (good_ && pos_ < text_.size() && text_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }

    bool at_digit() const {
        return good_ && pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9';
    }
    bool at_end() const { return pos_ == text_.size(); }
    bool good() const { return good_; }

  private:
    std::string_view text_;
    std::size_t pos_ = 0;
    bool good_ = true;
};

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_patroni_timestamp(
    std::string_view text) {
    using namespace std::chrono;
    timestamp_reader in(text);
    const int y = in.digits(4);
    in.expect('-');
    const int mo = in.digits(2);
    in.expect('-');
    const int d = in.digits(2);
    if (!in.accept(' ')) in.expect('T');
    const int h = in.digits(2);
    in.expect(':');
    const int mi = in.digits(2);
    in.expect(':');
    const int s = in.digits(2);

    std::int64_t fraction_ns = 0;
    if (in.accept('.')) {
        if (!in.at_digit()) return std::nullopt;
        std::int64_t scale = 100'000'000;
        while (in.at_digit()) {
            fraction_ns += in.digits(1) * scale;  // digits past nanoseconds are dropped
            scale /= 10;
        }
    }

    int offset_minutes = 0;
    if (!in.accept('Z')) {
        const int sign = in.accept('+') ? 1 : (in.accept('-') ? -1 : 0);
        if (sign == 0) return std::nullopt;
        const int oh = in.digits(2);
        in.expect(':');
        const int om = in.digits(2);
        if (oh > 23 || om > 59) return std::nullopt;
        offset_minutes = sign * (oh * 60 + om);
    }
    if (!in.good() || !in.at_end()) return std::nullopt;

    const year_month_day date{year{y}, month{static_cast<unsigned>(mo)},
                              day{static_cast<unsigned>(d)}};
    if (!date.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;

    // Whole seconds first: any four-digit year fits in them, while system_clock's 64-bit
    // nanoseconds reach only from 1677 to 2262, so a time outside is refused, not overflowed.
    const sys_seconds utc =
        sys_days{date} + hours{h} + minutes{mi} + seconds{s} - minutes{offset_minutes};
    constexpr seconds limit = duration_cast<seconds>(system_clock::duration::max());
    if (utc.time_since_epoch() >= limit || utc.time_since_epoch() <= -limit) return std::nullopt;
    return time_point_cast<system_clock::duration>(utc) +
           duration_cast<system_clock::duration>(nanoseconds{fraction_ns});
}

}  // namespace pgroute::health
