// What an upgrading pgroute hands to the new binary it starts (SIGUSR2): its listening sockets
// and the pipe the new process reports on once it serves. It travels as descriptor numbers the
// new process inherits, in the environment variable PGROUTE_UPGRADE; the new process matches
// each listening socket to its endpoints by the address it is bound to, so a new config may
// reorder, rename, add or drop endpoints. Pure: text to values and back.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgroute::proxy {

inline constexpr const char* handover_variable = "PGROUTE_UPGRADE";
// The cancel channel's descriptor (see proxy/cancel/predecessor_cancels.h), in a variable of its
// own: a binary older than the channel ignores it, where an unknown field in PGROUTE_UPGRADE would
// make it refuse the whole handover, so an upgrade back to such a version still works.
inline constexpr const char* cancels_variable = "PGROUTE_UPGRADE_CANCELS";

struct handover {
    int ready_fd = -1;           // the new process writes one byte here once it serves
    std::vector<int> listeners;  // every worker's listening socket of every endpoint
    std::optional<int> admin;    // the admin listener's, when there is one
};

// "ready=7;listeners=9,10,11;admin=8"
[[nodiscard]] std::string encode_handover(const handover& h);
// nullopt for a text encode_handover cannot have written.
[[nodiscard]] std::optional<handover> decode_handover(std::string_view text);
// One descriptor number, as cancels_variable holds it; nullopt for anything else.
[[nodiscard]] std::optional<int> decode_descriptor(std::string_view text);

}  // namespace pgroute::proxy
