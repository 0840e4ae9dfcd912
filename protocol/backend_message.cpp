#include "protocol/backend_message.h"

#include "protocol/byte_reader.h"

namespace pgroute::protocol {

std::optional<authentication> parse_authentication(std::string_view body) {
    byte_reader reader(body);
    authentication auth;
    auth.code = static_cast<auth_code>(reader.u32());
    auth.data = reader.rest();
    if (reader.failed()) return std::nullopt;
    return auth;
}

std::optional<backend_key_data> parse_backend_key_data(std::string_view body) {
    byte_reader reader(body);
    backend_key_data key;
    key.process_id = reader.u32();
    key.secret_key = reader.rest();
    // Protocol 3.0 sends 4 secret bytes; 3.2 allows up to 256.
    if (reader.failed() || key.secret_key.size() < 4 || key.secret_key.size() > 256) {
        return std::nullopt;
    }
    return key;
}

std::optional<parameter_status> parse_parameter_status(std::string_view body) {
    byte_reader reader(body);
    parameter_status status;
    status.name = reader.cstring();
    status.value = reader.cstring();
    if (!reader.at_end()) return std::nullopt;
    return status;
}

std::optional<transaction_status> parse_ready_for_query(std::string_view body) {
    if (body.size() != 1) return std::nullopt;
    switch (body[0]) {
        case 'I':
            return transaction_status::idle;
        case 'T':
            return transaction_status::in_transaction;
        case 'E':
            return transaction_status::failed;
        default:
            return std::nullopt;
    }
}

}  // namespace pgroute::protocol
