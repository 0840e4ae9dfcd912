#include "proxy/auth/auth_query_messages.h"

#include <cstdint>

#include "protocol/byte_reader.h"
#include "protocol/error_response.h"
#include "protocol/message_builder.h"
#include "protocol/message_type.h"

namespace pgroute::proxy::auth {

namespace {

std::uint16_t read_u16(protocol::byte_reader& in) {
    const std::uint16_t high = in.u8();
    return static_cast<std::uint16_t>((high << 8) | in.u8());
}

protocol::message_builder& u16(protocol::message_builder& out, std::uint16_t value) {
    return out.u8(static_cast<std::uint8_t>(value >> 8)).u8(static_cast<std::uint8_t>(value));
}

}  // namespace

std::string build_auth_query(std::string_view query, std::string_view user) {
    protocol::message_builder parse(protocol::PqMsg_Parse);
    u16(parse.cstring("").cstring(query), 0);  // the unnamed statement; $1's type inferred
    protocol::message_builder bind(protocol::PqMsg_Bind);
    bind.cstring("").cstring("");  // the unnamed portal, of the unnamed statement
    u16(bind, 0);                  // parameters in text
    u16(bind, 1).u32(static_cast<std::uint32_t>(user.size())).bytes(user);
    u16(bind, 0);  // results in text
    protocol::message_builder execute(protocol::PqMsg_Execute);
    execute.cstring("").u32(0);  // every row
    return parse.finish() + bind.finish() + execute.finish() +
           protocol::message_builder(protocol::PqMsg_Sync).finish();
}

bool auth_query_reader::read(char type, std::string_view body) {
    // An error ends what came before it too: a row the node then failed is no answer.
    if (type == protocol::PqMsg_ErrorResponse || type == protocol::PqMsg_EmptyQueryResponse) {
        row_.reset();
    }
    switch (type) {
        case protocol::PqMsg_DataRow:
            if (failed_.empty()) read_row(body);
            return false;
        case protocol::PqMsg_ErrorResponse: {
            const auto error = protocol::parse_error_response(body);
            failed_ = error ? "auth_query failed: " + error->message + " (SQLSTATE " +
                                  error->sqlstate + ")"
                            : "auth_query failed with a malformed ErrorResponse";
            return false;
        }
        case protocol::PqMsg_EmptyQueryResponse:
            failed_ = "auth_query is empty";
            return false;
        case protocol::PqMsg_ReadyForQuery:
            return true;
        default:
            return false;  // ParseComplete, BindComplete, CommandComplete, notices
    }
}

void auth_query_reader::read_row(std::string_view body) {
    if (row_) {
        failed_ = "auth_query returned more than one row";
        row_.reset();
        return;
    }
    protocol::byte_reader in(body);
    const std::uint16_t columns = read_u16(in);
    std::optional<std::string> values[2];
    for (std::uint16_t column = 0; column < columns && column < 2 && !in.failed(); ++column) {
        const std::int32_t length = in.i32();
        if (length >= 0) values[column] = std::string(in.bytes(static_cast<std::size_t>(length)));
    }
    if (in.failed()) {
        failed_ = "auth_query's answer has a malformed DataRow";
    } else if (columns < 2) {
        failed_ = "auth_query returned " + std::to_string(columns) +
                  " column(s); it must return the user name and the password";
    } else {
        row_ = auth_query_row{std::move(values[1])};
    }
}

}  // namespace pgroute::proxy::auth
