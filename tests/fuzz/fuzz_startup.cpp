// libFuzzer target: the startup-packet parser on arbitrary bytes (the body after the length word)
// and the length check on its first four bytes. Nothing may crash, every view must lie inside the
// input, and whatever is accepted must be well-formed enough to re-encode to the same bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/byte_reader.h"
#include "protocol/message_builder.h"
#include "protocol/message_type.h"
#include "protocol/sqlstate.h"
#include "protocol/startup.h"
#include "tests/fuzz/invariant.h"

namespace {

using namespace pgroute::protocol;
using pgroute::fuzz::lies_within;
using pgroute::fuzz::require;

void check_length_verdict(std::string_view input) {
    if (input.size() < 4) return;
    const std::uint32_t length = load_u32(input.data());
    const auto verdict = check_startup_length(length, max_startup_packet_length);
    // As PostgreSQL does, the ceiling applies to the packet without its length word.
    const bool acceptable = length >= 8 && length - 4 <= max_startup_packet_length;
    require(std::holds_alternative<std::monostate>(verdict) == acceptable,
            "check_startup_length accepts what PostgreSQL accepts: 8 to 4 + the maximum");
}

void check_startup_message(const startup_message& msg, std::string_view input) {
    require(msg.major() == 3, "only protocol 3.x is accepted");
    require(!msg.user.empty() && !msg.database.empty(), "user and database are never empty");
    require(lies_within(msg.user, input) && lies_within(msg.database, input) &&
                lies_within(msg.application_name, input) && lies_within(msg.replication, input),
            "named parameters point into the input");
    message_builder rebuilt;
    rebuilt.u32(msg.version);
    for (const auto& [name, value] : msg.parameters) {
        require(!name.empty(), "parameter names are never empty");
        require(lies_within(name, input) && lies_within(value, input),
                "parameters point into the input");
        rebuilt.cstring(name).cstring(value);
    }
    rebuilt.u8(0);
    require(std::move(rebuilt).finish().substr(4) == input,
            "an accepted StartupMessage re-encodes to the same bytes");
}

void check_packet(const startup_packet& packet, std::string_view input) {
    if (const auto* msg = std::get_if<startup_message>(&packet)) {
        check_startup_message(*msg, input);
    } else if (const auto* cancel = std::get_if<cancel_request>(&packet)) {
        require(lies_within(cancel->secret_key, input), "the cancel key points into the input");
        require(cancel->secret_key.size() >= 4 && cancel->secret_key.size() <= 256,
                "cancel keys are 4 to 256 bytes");
        require(input.size() == 8 + cancel->secret_key.size(),
                "a CancelRequest is code, process id and key");
        require(load_u32(input.data() + 4) == cancel->process_id,
                "the process id is the word after the code");
    } else {
        require(input.size() == 4, "an encryption request is its code alone");
    }
}

void check_error(const parse_error& error) {
    require(error.sqlstate == sqlstate::protocol_violation ||
                error.sqlstate == sqlstate::invalid_authorization_specification ||
                error.sqlstate == sqlstate::feature_not_supported,
            "errors carry one of the startup SQLSTATEs");
    require(!error.message.empty(), "errors carry a message");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    check_length_verdict(input);
    const auto result = parse_startup_packet(input);
    if (const auto* packet = std::get_if<startup_packet>(&result)) {
        check_packet(*packet, input);
    } else {
        check_error(std::get<parse_error>(result));
    }
    return 0;
}
