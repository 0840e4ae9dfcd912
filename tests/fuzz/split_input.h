// How the fuzz targets cut one input into what their parsers read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/byte_reader.h"

namespace pgroute::fuzz {

// The targets that feed a parser bytes as they arrive over a socket:
//   byte 0      where the first read ends: b / 255 of the rest
//   the rest    the bytes the peer sent
struct split_input {
    std::string_view first_read;  // a prefix of `bytes`
    std::string_view bytes;
};

inline split_input split_at_first_byte(const std::uint8_t* data, std::size_t size) {
    protocol::byte_reader input(std::string_view(reinterpret_cast<const char*>(data), size));
    const std::size_t split_byte = input.u8();
    const std::string_view bytes = input.rest();
    return {.first_read = bytes.substr(0, bytes.size() * split_byte / 255), .bytes = bytes};
}

// The targets of a two-message exchange: the first message up to the first NUL, the second after
// it (empty when there is no NUL).
struct two_messages {
    std::string_view first;
    std::string_view second;
};

inline two_messages split_at_nul(std::string_view input) {
    const std::size_t split = input.find('\0');
    if (split == std::string_view::npos) return {.first = input, .second = {}};
    return {.first = input.substr(0, split), .second = input.substr(split + 1)};
}

}  // namespace pgroute::fuzz
