#include "proxy/auth/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <climits>
#include <stdexcept>

namespace pgroute::proxy::auth {

namespace {

[[noreturn]] void fail(const char* what) {
    throw std::runtime_error(std::string("libcrypto: ") + what + " failed");
}

}  // namespace

scram_key sha256(byte_view data) {
    scram_key out{};
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), out.data(), &length, EVP_sha256(), nullptr) != 1)
        fail("SHA-256");
    return out;
}

scram_key hmac_sha256(byte_view key, std::string_view message) {
    scram_key out{};
    unsigned int length = 0;
    const auto* text = reinterpret_cast<const unsigned char*>(message.data());
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), text, message.size(),
             out.data(), &length) == nullptr)
        fail("HMAC-SHA-256");
    return out;
}

scram_key salted_password(std::string_view password, byte_view salt, int iterations) {
    scram_key out{};
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                          static_cast<int>(salt.size()), iterations, EVP_sha256(),
                          static_cast<int>(out.size()), out.data()) != 1)
        fail("PBKDF2");
    return out;
}

scram_key xor_keys(const scram_key& a, const scram_key& b) {
    scram_key out{};
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = static_cast<std::uint8_t>(a[i] ^ b[i]);
    return out;
}

bool equal_in_constant_time(byte_view a, byte_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string md5_hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr) != 1) fail("md5");
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(std::size_t{2} * length);
    for (unsigned int i = 0; i < length; ++i) {
        hex.push_back(digits[digest[i] >> 4]);
        hex.push_back(digits[digest[i] & 0xf]);
    }
    return hex;
}

void random_bytes(std::span<std::uint8_t> out) {
    if (out.size() > INT_MAX || RAND_bytes(out.data(), static_cast<int>(out.size())) != 1)
        fail("RAND_bytes");
}

void cleanse(std::string& text) {
    OPENSSL_cleanse(text.data(), text.size());
    text.clear();
}

}  // namespace pgroute::proxy::auth
