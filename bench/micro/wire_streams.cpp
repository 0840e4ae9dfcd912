#include "bench/micro/wire_streams.h"

#include <cstdint>
#include <string_view>
#include <utility>

#include "protocol/message_builder.h"
#include "protocol/message_type.h"

namespace pgroute::bench {

namespace {

using protocol::message_builder;

constexpr std::uint32_t int4_oid = 23;
constexpr std::uint32_t text_oid = 25;
constexpr std::uint32_t timestamptz_oid = 1184;

std::string row_description() {
    message_builder msg('T');
    msg.u8(0).u8(3);
    const struct {
        std::string_view name;
        std::uint32_t type_oid;
        std::int16_t type_size;
    } columns[] = {{"id", int4_oid, 4}, {"name", text_oid, -1}, {"created", timestamptz_oid, 8}};
    std::uint8_t attnum = 0;
    for (const auto& column : columns) {
        msg.cstring(column.name).u32(16384).u8(0).u8(++attnum).u32(column.type_oid);
        msg.u8(static_cast<std::uint8_t>(column.type_size >> 8))
            .u8(static_cast<std::uint8_t>(column.type_size));
        msg.u32(0xffffffff).u8(0).u8(0);
    }
    return std::move(msg).finish();
}

std::string data_row(std::size_t i) {
    const std::string id = std::to_string(100000 + i % 900000);
    const std::string name = "customer-" + std::to_string(10000 + i % 90000);
    const std::string_view created = "2024-06-11 12:34:56.789+00";
    message_builder msg('D');
    msg.u8(0).u8(3);
    for (const std::string_view value : {std::string_view(id), std::string_view(name), created})
        msg.u32(static_cast<std::uint32_t>(value.size())).bytes(value);
    return std::move(msg).finish();
}

std::string command_complete(std::string_view tag) {
    message_builder msg('C');
    msg.cstring(tag);
    return std::move(msg).finish();
}

std::string ready_for_query() {
    message_builder msg(protocol::PqMsg_ReadyForQuery);
    msg.u8('I');
    return std::move(msg).finish();
}

}  // namespace

std::string data_row_result(std::size_t rows) {
    std::string stream = row_description();
    for (std::size_t i = 0; i < rows; ++i)
        stream += data_row(i);
    stream += command_complete("SELECT " + std::to_string(rows));
    return stream + ready_for_query();
}

std::string copy_out_result(std::size_t total_payload, std::size_t frame_payload) {
    message_builder header('H');
    header.u8(0).u8(0).u8(1).u8(0).u8(0);
    std::string stream = std::move(header).finish();
    const std::string payload(frame_payload, 'x');
    std::size_t frames = 0;
    for (std::size_t sent = 0; sent < total_payload; sent += frame_payload, ++frames) {
        message_builder msg(protocol::PqMsg_CopyData);
        msg.bytes(payload);
        stream += std::move(msg).finish();
    }
    message_builder done(protocol::PqMsg_CopyDone);
    stream += std::move(done).finish();
    stream += command_complete("COPY " + std::to_string(frames));
    return stream + ready_for_query();
}

}  // namespace pgroute::bench
