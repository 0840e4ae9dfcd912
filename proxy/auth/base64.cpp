#include "proxy/auth/base64.h"

#include <array>

namespace pgroute::proxy::auth {

namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::int8_t not_base64 = -1;

constexpr std::array<std::int8_t, 256> decoding_table() {
    std::array<std::int8_t, 256> table{};
    table.fill(not_base64);
    for (std::size_t i = 0; i < alphabet.size(); ++i)
        table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
    return table;
}

constexpr auto decoding = decoding_table();

}  // namespace

std::string base64_encode(std::span<const std::uint8_t> data) {
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        const std::uint32_t group = data[i] << 16 | data[i + 1] << 8 | data[i + 2];
        for (int shift = 18; shift >= 0; shift -= 6)
            out.push_back(alphabet[group >> shift & 0x3f]);
    }
    const std::size_t left = data.size() - i;
    if (left > 0) {
        const std::uint32_t group = data[i] << 16 | (left == 2 ? data[i + 1] << 8 : 0);
        out.push_back(alphabet[group >> 18 & 0x3f]);
        out.push_back(alphabet[group >> 12 & 0x3f]);
        out.push_back(left == 2 ? alphabet[group >> 6 & 0x3f] : '=');
        out.push_back('=');
    }
    return out;
}

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    std::size_t padding = 0;
    if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
    std::vector<std::uint8_t> out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        std::uint32_t group = 0;
        for (std::size_t j = 0; j < 4; ++j) {
            const bool pad = last && j >= 4 - padding;
            const std::int8_t value = decoding[static_cast<unsigned char>(text[i + j])];
            if (!pad && value == not_base64) return std::nullopt;
            group = group << 6 | static_cast<std::uint32_t>(pad ? 0 : value);
        }
        const std::size_t bytes = last ? 3 - padding : 3;
        for (std::size_t j = 0; j < bytes; ++j)
            out.push_back(static_cast<std::uint8_t>(group >> (16 - 8 * j)));
    }
    return out;
}

}  // namespace pgroute::proxy::auth
