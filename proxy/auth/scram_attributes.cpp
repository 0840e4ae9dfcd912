#include "proxy/auth/scram_attributes.h"

#include <array>
#include <cstdint>

#include "proxy/auth/base64.h"
#include "proxy/auth/crypto.h"

namespace pgroute::proxy::auth {

std::string random_scram_nonce() {
    std::array<std::uint8_t, 18> raw{};  // SCRAM_RAW_NONCE_LEN
    random_bytes(raw);
    return base64_encode(raw);
}

}  // namespace pgroute::proxy::auth
