// The primitives SCRAM-SHA-256 and md5 authentication are made of, over OpenSSL's libcrypto.
// They cannot fail on valid input; a libcrypto failure (out of memory, no entropy) throws.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace pgroute::proxy::auth {

inline constexpr std::size_t scram_key_length = 32;  // SHA-256's output
using scram_key = std::array<std::uint8_t, scram_key_length>;
using byte_view = std::span<const std::uint8_t>;

[[nodiscard]] scram_key sha256(byte_view data);
[[nodiscard]] scram_key hmac_sha256(byte_view key, std::string_view message);
// RFC 5802's Hi(): PBKDF2 with HMAC-SHA-256, one block.
[[nodiscard]] scram_key salted_password(std::string_view password, byte_view salt, int iterations);
[[nodiscard]] scram_key xor_keys(const scram_key& a, const scram_key& b);
// Whether a and b are equal, in a time that depends on their length only.
[[nodiscard]] bool equal_in_constant_time(byte_view a, byte_view b);
// md5 of data as 32 lowercase hex digits, as PostgreSQL writes it.
[[nodiscard]] std::string md5_hex(std::string_view data);
// Fills out from a cryptographically secure generator.
void random_bytes(std::span<std::uint8_t> out);
// Overwrites text in a way the compiler does not elide, for clear-text passwords.
void cleanse(std::string& text);

[[nodiscard]] inline byte_view bytes_of(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace pgroute::proxy::auth
