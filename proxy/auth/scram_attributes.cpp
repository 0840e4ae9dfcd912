#include "proxy/auth/scram_attributes.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "proxy/auth/base64.h"
#include "proxy/auth/crypto.h"

namespace pgroute::proxy::auth {

std::string sanitized(std::string_view text, std::size_t max_length) {
    std::string out(text.substr(0, max_length));
    std::replace_if(
        out.begin(), out.end(), [](char c) { return c < 0x21 || c > 0x7e; }, '?');
    return out;
}

std::string random_scram_nonce() {
    std::array<std::uint8_t, 18> raw{};  // SCRAM_RAW_NONCE_LEN
    random_bytes(raw);
    return base64_encode(raw);
}

}  // namespace pgroute::proxy::auth
