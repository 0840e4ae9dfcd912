// Builds one typed frame (or an untyped startup packet) into a string, patching the length
// once the body is complete so callers never compute sizes by hand.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pgroute::protocol {

class message_builder {
  public:
    // A typed frame: type byte, then the length placeholder.
    explicit message_builder(char type) : start_(1) {
        out_.push_back(type);
        out_.append(4, '\0');
    }
    // An untyped startup packet: only the length placeholder.
    message_builder() : start_(0) { out_.append(4, '\0'); }

    message_builder& u8(std::uint8_t v) {
        out_.push_back(static_cast<char>(v));
        return *this;
    }
    message_builder& u32(std::uint32_t v) {
        for (int shift = 24; shift >= 0; shift -= 8)
            out_.push_back(static_cast<char>(v >> shift));
        return *this;
    }
    message_builder& cstring(std::string_view s) {
        out_.append(s);
        out_.push_back('\0');
        return *this;
    }
    message_builder& bytes(std::string_view s) {
        out_.append(s);
        return *this;
    }

    // Finishes the message; the builder is spent afterwards.
    [[nodiscard]] std::string finish() {
        const auto len = static_cast<std::uint32_t>(out_.size() - start_);
        for (int i = 0; i < 4; ++i)
            out_[start_ + i] = static_cast<char>(len >> (24 - 8 * i));
        return std::move(out_);
    }

  private:
    std::string out_;
    std::size_t start_;
};

}  // namespace pgroute::protocol
