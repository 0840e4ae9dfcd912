// One SCRAM-SHA-256 exchange as it went over the wire, with the salt and nonces it was made of:
// the SCRAM tests replay RFC 7677's example and a recorded libpq login through the same fields.
#pragma once

#include <string_view>

namespace pgroute::proxy::auth::testing {

struct scram_recording {
    std::string_view salt;  // base64
    std::string_view client_nonce;
    std::string_view server_nonce;
    std::string_view client_first;
    std::string_view server_first;
    std::string_view client_final;
    std::string_view server_final;
};

}  // namespace pgroute::proxy::auth::testing
