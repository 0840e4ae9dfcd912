#include "protocol/cancel_key.h"

#include "protocol/byte_reader.h"
#include "protocol/message_builder.h"
#include "protocol/message_type.h"

namespace pgroute::protocol {

namespace {

void store_u32(std::uint32_t value, char* out) {
    for (int i = 0; i < 4; ++i)
        out[i] = static_cast<char>(value >> (24 - 8 * i));
}

}  // namespace

std::optional<cancel_key> read_backend_key_data(std::string_view body) {
    if (body.size() != backend_key_data_body_size) return std::nullopt;
    return cancel_key{load_u32(body.data()), load_u32(body.data() + 4)};
}

void write_backend_key_data(cancel_key key, std::span<char, backend_key_data_body_size> body) {
    store_u32(key.process_id, body.data());
    store_u32(key.secret, body.data() + 4);
}

std::optional<cancel_key> key_of(const cancel_request& request) {
    if (request.secret_key.size() != 4) return std::nullopt;
    return cancel_key{request.process_id, load_u32(request.secret_key.data())};
}

std::string build_cancel_request(cancel_key key) {
    return message_builder().u32(CANCEL_REQUEST_CODE).u32(key.process_id).u32(key.secret).finish();
}

}  // namespace pgroute::protocol
