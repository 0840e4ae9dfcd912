// The new binary of an upgrade, started by the running pgroute (SIGUSR2): fork, and in the
// child every descriptor but the handed-over ones closed on exec, then execve of the binary
// with the process's own arguments and PGROUTE_UPGRADE naming what it inherits.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "proxy/app/upgrade_handover.h"

namespace pgroute::proxy {

// The binary and the arguments this process was started with, kept for an upgrade: the path
// /proc/self/exe had at start, which names the new binary once a package replaced the file.
struct process_image {
    std::string executable;
    std::vector<std::string> arguments;  // argv, argv[0] included
    std::string config_path;             // what -c named, which a reload reads again
};

struct spawned_upgrade {
    pid_t pid = -1;
    int ready_fd = -1;    // the pipe's read end: one byte once the new process serves, or EOF
    int cancels_fd = -1;  // this process's end of the cancel channel
};

// `sockets`: the listeners to hand over (its ready_fd is made here, and the cancel channel). Throws
// std::system_error when the pipe or the fork fails; an exec that fails ends the child with status
// 127, which the caller sees as EOF on ready_fd.
[[nodiscard]] spawned_upgrade spawn_upgrade(const process_image& image, handover sockets);

}  // namespace pgroute::proxy
