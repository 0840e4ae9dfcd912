// The old process's side of an upgrade (SIGUSR2): the new binary started with the listening
// sockets, and its word awaited on the control thread without blocking it. Only once the new
// process says it serves does the old one step back; a new process that exits or stays silent
// first changes nothing here.
#pragma once

#include <sys/types.h>

#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <optional>

#include "proxy/app/upgrade_spawn.h"
#include "proxy/log/logger.h"

namespace pgroute::proxy {

class upgrade_start {
  public:
    // How long the new process has to say it serves before it is killed.
    static constexpr std::chrono::seconds answer_timeout{60};

    upgrade_start(asio::io_context& control, process_image image, const logger& log);

    // Control thread only. Starts the new binary with `sockets`, unless an upgrade is under way
    // or done; `served` runs on the control thread once the new process serves, given its pid
    // and this process's end of the cancel channel, its own from then on. The new process's
    // pid, or none (logged why).
    std::optional<pid_t> start(const handover& sockets,
                               std::function<void(pid_t, int cancels_fd)> served);

  private:
    void failed(const std::string& why);

    asio::io_context& control_;
    process_image image_;
    const logger& log_;
    std::optional<spawned_upgrade> running_;
    std::optional<asio::posix::stream_descriptor> answer_;
    asio::steady_timer deadline_;
    char byte_ = 0;
    bool done_ = false;
};

}  // namespace pgroute::proxy
