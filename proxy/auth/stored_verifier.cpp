#include "proxy/auth/stored_verifier.h"

#include <algorithm>

#include "protocol/sqlstate.h"

namespace pgroute::proxy::auth {

namespace {

constexpr std::string_view md5_prefix = "md5";

bool is_lower_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

std::optional<md5_secret> parse_md5(std::string_view text) {
    if (text.size() != md5_prefix.size() + 32 || !text.starts_with(md5_prefix)) return std::nullopt;
    text.remove_prefix(md5_prefix.size());
    if (!std::all_of(text.begin(), text.end(), is_lower_hex)) return std::nullopt;
    md5_secret secret;
    std::copy(text.begin(), text.end(), secret.hex.begin());
    return secret;
}

auth_error invalid_password_text(std::string message) {
    return {protocol::sqlstate::invalid_authorization_specification, std::move(message)};
}

}  // namespace

md5_secret md5_secret_of(std::string_view password, std::string_view user) {
    std::string input;
    input.reserve(password.size() + user.size());
    input.append(password).append(user);
    const std::string hex = md5_hex(input);
    cleanse(input);
    md5_secret secret;
    std::copy(hex.begin(), hex.end(), secret.hex.begin());
    return secret;
}

result<stored_password> parse_stored_password(std::string_view text) {
    if (auto md5 = parse_md5(text)) return stored_password{*md5};
    if (text.starts_with(scram_secret_prefix)) {
        if (auto scram = parse_scram_secret(text)) return stored_password{std::move(*scram)};
        return invalid_password_text("invalid SCRAM secret");
    }
    const bool ascii = std::all_of(text.begin(), text.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (!ascii)
        return invalid_password_text(
            "a clear-text password must be ASCII (pgroute does not apply SASLprep): store its "
            "SCRAM secret instead");
    return stored_password{clear_password{text}};
}

stored_verifier make_verifier(std::string_view user, const stored_password& password) {
    if (const auto* scram = std::get_if<scram_secret>(&password)) return {*scram, std::nullopt};
    if (const auto* md5 = std::get_if<md5_secret>(&password)) return {std::nullopt, *md5};
    const std::string_view text = std::get<clear_password>(password).text;
    if (text.empty()) return {};
    std::vector<std::uint8_t> salt(scram_default_salt_length);
    random_bytes(salt);
    return {derive_scram_keys(text, std::move(salt), scram_default_iterations).secret,
            md5_secret_of(text, user)};
}

}  // namespace pgroute::proxy::auth
