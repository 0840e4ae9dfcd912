// Minor protocol versions and protocol options, negotiated as the protocol chapter has a server
// do it: a client may ask for a newer 3.x than the server speaks, or send protocol options
// (parameters named "_pq_.*"); the server then answers NegotiateProtocolVersion with the newest
// version it speaks and the options it does not recognise, and the session goes on at that
// version without them. pgroute speaks up to 3.2 and recognises no option.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/message_type.h"
#include "protocol/startup.h"

namespace pgroute::protocol {

inline constexpr std::uint32_t latest_protocol_version = protocol_version(3, 2);
inline constexpr std::string_view protocol_option_prefix = "_pq_.";

// What pgroute makes of a client's StartupMessage before it goes to a node.
struct startup_negotiation {
    std::uint32_t requested = 0;  // the client's version
    std::uint32_t offered = 0;    // the one sent on to the node: at most the newest granted
    std::vector<std::string> unsupported_options;  // every protocol option, in order

    // The client must hear a NegotiateProtocolVersion of pgroute's own (or merged into the
    // node's): its version was lowered, or options of its were dropped.
    [[nodiscard]] bool answer_due() const {
        return offered != requested || !unsupported_options.empty();
    }
};

// `newest`: the newest version to grant, at most latest_protocol_version.
[[nodiscard]] startup_negotiation negotiate_startup(const startup_message& message,
                                                    std::uint32_t newest = latest_protocol_version);

// The StartupMessage for the node, length included: `message`'s parameters in order, without
// its protocol options, at version `negotiation.offered`.
[[nodiscard]] std::string build_startup_packet(const startup_message& message,
                                               const startup_negotiation& negotiation);

// The body of a NegotiateProtocolVersion ('v'): views into the body.
struct protocol_version_answer {
    std::uint32_t newest_version = 0;  // major << 16 | minor, as servers send it
    std::vector<std::string_view> unsupported_options;
};

// None for a body that is not an int32 version, an int32 count and that many names, exactly.
[[nodiscard]] std::optional<protocol_version_answer> parse_negotiate_protocol_version(
    std::string_view body);

// A complete NegotiateProtocolVersion message.
[[nodiscard]] std::string build_negotiate_protocol_version(std::uint32_t newest_version,
                                                           std::span<const std::string> options);

}  // namespace pgroute::protocol
