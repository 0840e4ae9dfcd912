// A bounds-checked cursor over a message body: every read either succeeds or marks the reader
// failed, so parsers check once at the end instead of after every field.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace pgroute::protocol {

class byte_reader {
  public:
    explicit byte_reader(std::string_view data) : data_(data) {}

    [[nodiscard]] std::uint8_t u8() {
        if (!need(1)) return 0;
        return static_cast<std::uint8_t>(data_[pos_++]);
    }

    [[nodiscard]] std::uint32_t u32() {
        if (!need(4)) return 0;
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i)
            v = (v << 8) | static_cast<std::uint8_t>(data_[pos_++]);
        return v;
    }

    [[nodiscard]] std::int32_t i32() { return static_cast<std::int32_t>(u32()); }

    // A NUL-terminated string; the terminator is consumed but not returned.
    [[nodiscard]] std::string_view cstring() {
        if (failed_) return {};
        const auto end = data_.find('\0', pos_);
        if (end == std::string_view::npos) {
            failed_ = true;
            return {};
        }
        auto s = data_.substr(pos_, end - pos_);
        pos_ = end + 1;
        return s;
    }

    [[nodiscard]] std::string_view bytes(std::size_t n) {
        if (!need(n)) return {};
        auto s = data_.substr(pos_, n);
        pos_ += n;
        return s;
    }

    [[nodiscard]] std::string_view rest() {
        auto s = failed_ ? std::string_view{} : data_.substr(pos_);
        pos_ = data_.size();
        return s;
    }

    [[nodiscard]] std::size_t remaining() const { return failed_ ? 0 : data_.size() - pos_; }
    [[nodiscard]] bool failed() const { return failed_; }
    [[nodiscard]] bool at_end() const { return !failed_ && pos_ == data_.size(); }

  private:
    bool need(std::size_t n) {
        if (failed_ || data_.size() - pos_ < n) {
            failed_ = true;
            return false;
        }
        return true;
    }

    std::string_view data_;
    std::size_t pos_ = 0;
    bool failed_ = false;
};

// Reads a big-endian uint32 from exactly four bytes.
[[nodiscard]] inline std::uint32_t load_u32(const char* p) {
    unsigned char b[4];
    std::memcpy(b, p, 4);
    return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
           std::uint32_t{b[3]};
}

}  // namespace pgroute::protocol
