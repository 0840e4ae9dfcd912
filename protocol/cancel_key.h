// The key that lets a client cancel its query: handed out in BackendKeyData, presented back in a
// CancelRequest on a new connection (protocol 3.0: a process id and a 4-byte secret).
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
    std::uint32_t secret = 0;

    bool operator==(const cancel_key&) const = default;
};

inline constexpr std::size_t backend_key_data_body_size = 8;

// The key in a BackendKeyData body; none unless it is the 8 bytes of protocol 3.0.
[[nodiscard]] std::optional<cancel_key> read_backend_key_data(std::string_view body);

// Overwrites a BackendKeyData body in place, so the relay can hand out a key of its own.
void write_backend_key_data(cancel_key key, std::span<char, backend_key_data_body_size> body);

// The key a CancelRequest presents; none for a longer (protocol 3.2) secret, which no key
// issued under 3.0 can match.
[[nodiscard]] std::optional<cancel_key> key_of(const cancel_request& request);

// A complete CancelRequest packet, length included.
[[nodiscard]] std::string build_cancel_request(cancel_key key);

}  // namespace pgroute::protocol
