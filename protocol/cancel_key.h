// The key that lets a client cancel its query: handed out in BackendKeyData, presented back in a
// CancelRequest on a new connection. A process id and a secret of 4 bytes before protocol 3.2,
// of 4 to 256 bytes from 3.2 on (PostgreSQL 18 sends 32).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "protocol/startup.h"

namespace pgroute::protocol {

struct cancel_key {
    std::uint32_t process_id = 0;
    std::string secret;  // the bytes as on the wire

    bool operator==(const cancel_key&) const = default;
};

// Whether a secret of `length` bytes may be sent under protocol `version`: exactly 4 before 3.2,
// 4 to 256 from it.
[[nodiscard]] bool secret_length_allowed(std::size_t length, std::uint32_t version);

// The key in a BackendKeyData body: a process id and a 4 to 256-byte secret; none otherwise.
[[nodiscard]] std::optional<cancel_key> read_backend_key_data(std::string_view body);

// Overwrites a BackendKeyData body in place, so the relay can hand out a key of its own. The
// body must be as long as the key's (4 + its secret); false, and nothing written, otherwise.
bool write_backend_key_data(const cancel_key& key, std::span<char> body);

// The key a CancelRequest presents (parse_startup_packet has checked its length).
[[nodiscard]] cancel_key key_of(const cancel_request& request);

// A complete CancelRequest packet, length included; with `from_peer`, the one a pgroute instance
// sends on to the peer that issued the key (peer_cancel_request_code).
[[nodiscard]] std::string build_cancel_request(const cancel_key& key, bool from_peer = false);

}  // namespace pgroute::protocol
