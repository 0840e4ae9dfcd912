#include "protocol/cancel_key.h"

#include <algorithm>

#include "protocol/byte_reader.h"
#include "protocol/message_builder.h"
#include "protocol/message_type.h"

namespace pgroute::protocol {

bool secret_length_allowed(std::size_t length, std::uint32_t version) {
    if (version < protocol_version(3, 2)) return length == min_secret_length;
    return length >= min_secret_length && length <= max_secret_length;
}

std::optional<cancel_key> read_backend_key_data(std::string_view body) {
    byte_reader reader(body);
    const std::uint32_t process_id = reader.u32();
    const std::string_view secret = reader.rest();
    if (reader.failed() || secret.size() < min_secret_length || secret.size() > max_secret_length) {
        return std::nullopt;
    }
    return cancel_key{process_id, std::string(secret)};
}

bool write_backend_key_data(const cancel_key& key, std::span<char> body) {
    if (body.size() != 4 + key.secret.size()) return false;
    for (int i = 0; i < 4; ++i)
        body[i] = static_cast<char>(key.process_id >> (24 - 8 * i));
    std::copy(key.secret.begin(), key.secret.end(), body.begin() + 4);
    return true;
}

cancel_key key_of(const cancel_request& request) {
    return {request.process_id, std::string(request.secret_key)};
}

std::string build_cancel_request(const cancel_key& key, bool from_peer) {
    return message_builder()
        .u32(from_peer ? peer_cancel_request_code : cancel_request_code)
        .u32(key.process_id)
        .bytes(key.secret)
        .finish();
}

}  // namespace pgroute::protocol
