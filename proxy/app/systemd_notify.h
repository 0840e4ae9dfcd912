// The sd_notify protocol without libsystemd: a datagram with "KEY=value" lines to the socket
// systemd names in $NOTIFY_SOCKET (Type=notify), so that `systemctl start` returns once the
// listeners are bound and `systemctl reload` once the new config serves. Outside systemd the
// variable is unset and nothing is sent.
#pragma once

#include <string>
#include <string_view>

namespace pgroute::proxy {

// Sends `state` (e.g. "READY=1") to `notify_socket`, $NOTIFY_SOCKET's value: a path, or an
// abstract name spelled with a leading '@'; null or empty sends nothing. Returns an empty
// string, or why it could not be sent (for one log line: a unit that waits for READY=1 would
// otherwise time out without a word).
[[nodiscard]] std::string notify_systemd(const char* notify_socket, std::string_view state);

// "RELOADING=1\nMONOTONIC_USEC=<now>", as Type=notify-reload asks (systemd 253; 252 ignores
// what it does not know).
[[nodiscard]] std::string reloading_state();

}  // namespace pgroute::proxy
