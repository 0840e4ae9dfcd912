// What an upgrading pgroute hands to the new binary it starts (SIGUSR2): its listening sockets,
// the pipe the new process reports on once it serves, and the socket it passes the
// CancelRequests it holds no key for over (see proxy/cancel/predecessor_cancels.h). It travels as
// descriptor numbers the new process inherits, in the environment variable PGROUTE_UPGRADE; the new
// process matches each listening socket to its endpoints by the address it is bound to, so a new
// config may reorder, rename, add or drop endpoints. Pure: text to values and back.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgroute::proxy {

inline constexpr const char* handover_variable = "PGROUTE_UPGRADE";

struct handover {
    int ready_fd = -1;           // the new process writes one byte here once it serves
    std::vector<int> listeners;  // every worker's listening socket of every endpoint
    std::optional<int> admin;    // the admin listener's, when there is one
    std::optional<int> cancels;  // absent when the old pgroute is of a version without it
};

// "ready=7;listeners=9,10,11;admin=8;cancels=12"
[[nodiscard]] std::string encode_handover(const handover& h);
// nullopt for a text encode_handover cannot have written.
[[nodiscard]] std::optional<handover> decode_handover(std::string_view text);

}  // namespace pgroute::proxy
