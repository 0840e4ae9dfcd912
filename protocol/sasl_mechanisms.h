// SCRAM channel binding cannot survive a proxy that terminates TLS: the client binds to
// pgroute's TLS session, the server to its own, and the proof fails. A node that offers
// SCRAM-SHA-256-PLUS must therefore not be seen offering it, so that libpq's default
// channel_binding=prefer settles for SCRAM-SHA-256 and channel_binding=require fails with
// libpq's own clear error instead of a failed authentication.
#pragma once

#include <span>
#include <string_view>

namespace pgroute::protocol {

inline constexpr std::string_view scram_plus_mechanism = "SCRAM-SHA-256-PLUS";
// As long as the name it replaces, so the frame keeps its length; no client knows it.
inline constexpr std::string_view hidden_mechanism = "PGROUTE-NO-BINDING";

// In an Authentication message body (int32 code, then for AuthenticationSASL (10) the mechanism
// names, each NUL-terminated, and an empty name), renames SCRAM-SHA-256-PLUS in place. Returns
// whether it did; any other body is left alone.
bool hide_channel_binding(std::span<char> authentication_body);

}  // namespace pgroute::protocol
