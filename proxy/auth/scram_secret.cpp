#include "proxy/auth/scram_secret.h"

#include <charconv>

#include "proxy/auth/base64.h"

namespace pgroute::proxy::auth {

namespace {

// Splits text at the first separator; nullopt when there is none.
std::optional<std::string_view> take_until(std::string_view& text, char separator) {
    const auto at = text.find(separator);
    if (at == std::string_view::npos) return std::nullopt;
    const auto head = text.substr(0, at);
    text.remove_prefix(at + 1);
    return head;
}

std::optional<scram_key> decode_key(std::string_view text) {
    const auto bytes = base64_decode(text);
    if (!bytes || bytes->size() != scram_key_length) return std::nullopt;
    scram_key key{};
    std::copy(bytes->begin(), bytes->end(), key.begin());
    return key;
}

}  // namespace

std::optional<scram_secret> parse_scram_secret(std::string_view text) {
    if (!text.starts_with(scram_secret_prefix)) return std::nullopt;
    text.remove_prefix(scram_secret_prefix.size());
    const auto iterations = take_until(text, ':');
    const auto salt = take_until(text, '$');
    const auto stored_key = take_until(text, ':');
    if (!iterations || !salt || !stored_key) return std::nullopt;

    scram_secret secret;
    const auto* end = iterations->data() + iterations->size();
    const auto [stop, error] = std::from_chars(iterations->data(), end, secret.iterations);
    if (iterations->empty() || error != std::errc{} || stop != end || secret.iterations < 1)
        return std::nullopt;
    auto salt_bytes = base64_decode(*salt);
    const auto stored = decode_key(*stored_key);
    const auto server = decode_key(text);
    if (!salt_bytes || salt_bytes->empty() || !stored || !server) return std::nullopt;
    secret.salt = std::move(*salt_bytes);
    secret.stored_key = *stored;
    secret.server_key = *server;
    return secret;
}

std::string format_scram_secret(const scram_secret& secret) {
    return std::string(scram_secret_prefix) + std::to_string(secret.iterations) + ":" +
           base64_encode(secret.salt) + "$" + base64_encode(secret.stored_key) + ":" +
           base64_encode(secret.server_key);
}

scram_keys derive_scram_keys(std::string_view password, std::vector<std::uint8_t> salt,
                             int iterations) {
    const scram_key salted = salted_password(password, salt, iterations);
    scram_keys keys;
    keys.client_key = hmac_sha256(salted, "Client Key");
    keys.secret.iterations = iterations;
    keys.secret.salt = std::move(salt);
    keys.secret.stored_key = sha256(keys.client_key);
    keys.secret.server_key = hmac_sha256(salted, "Server Key");
    return keys;
}

}  // namespace pgroute::proxy::auth
