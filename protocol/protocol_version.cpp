#include "protocol/protocol_version.h"

#include <algorithm>

#include "protocol/byte_reader.h"
#include "protocol/message_builder.h"

namespace pgroute::protocol {

namespace {

bool is_protocol_option(std::string_view name) {
    return name.starts_with(protocol_option_prefix);
}

}  // namespace

startup_negotiation negotiate_startup(const startup_message& message, std::uint32_t newest) {
    startup_negotiation negotiation;
    negotiation.requested = message.version;
    negotiation.offered = std::min(message.version, newest);
    for (const auto& [name, value] : message.parameters) {
        if (is_protocol_option(name)) negotiation.unsupported_options.emplace_back(name);
    }
    return negotiation;
}

std::string build_startup_packet(const startup_message& message,
                                 const startup_negotiation& negotiation) {
    message_builder packet;
    packet.u32(negotiation.offered);
    for (const auto& [name, value] : message.parameters) {
        if (!is_protocol_option(name)) packet.cstring(name).cstring(value);
    }
    return std::move(packet.u8(0)).finish();
}

std::optional<protocol_version_answer> parse_negotiate_protocol_version(std::string_view body) {
    byte_reader reader(body);
    protocol_version_answer answer;
    answer.newest_version = reader.u32();
    const std::uint32_t count = reader.u32();
    // Each name takes at least its terminator: a count beyond the bytes left is a lie.
    if (reader.failed() || count > reader.remaining()) return std::nullopt;
    answer.unsupported_options.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i)
        answer.unsupported_options.push_back(reader.cstring());
    if (!reader.at_end()) return std::nullopt;
    return answer;
}

std::string build_negotiate_protocol_version(std::uint32_t newest_version,
                                             std::span<const std::string> options) {
    message_builder message(PqMsg_NegotiateProtocolVersion);
    message.u32(newest_version).u32(static_cast<std::uint32_t>(options.size()));
    for (const auto& option : options)
        message.cstring(option);
    return std::move(message).finish();
}

}  // namespace pgroute::protocol
