#include "proxy/app/upgrade_start.h"

#include <sys/wait.h>
#include <unistd.h>

#include <asio/read.hpp>
#include <csignal>

namespace pgroute::proxy {

namespace {

std::string exit_text(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
    return "ended";
}

}  // namespace

upgrade_start::upgrade_start(asio::io_context& control, process_image image, const logger& log)
    : control_(control), image_(std::move(image)), log_(log), deadline_(control) {}

std::optional<pid_t> upgrade_start::start(const handover& sockets,
                                          std::function<void(pid_t, int cancels_fd)> served) {
    if (done_) {
        log_.warn("upgrade refused: this pgroute already handed its sockets over");
        return std::nullopt;
    }
    if (running_) {
        log_.warn("upgrade refused: the new pgroute (pid " + std::to_string(running_->pid) +
                  ") has not answered yet");
        return std::nullopt;
    }
    try {
        running_ = spawn_upgrade(image_, sockets);
    } catch (const std::system_error& e) {
        log_.error(std::string("upgrade failed: cannot start ") + image_.executable + ": " +
                   e.what() + "; this pgroute goes on serving");
        return std::nullopt;
    }
    log_.info("upgrade: started " + image_.executable + " (pid " + std::to_string(running_->pid) +
              ") with " + std::to_string(sockets.listeners.size()) + " listening socket(s)");
    answer_.emplace(control_, running_->ready_fd);
    deadline_.expires_after(answer_timeout);
    deadline_.async_wait([this](std::error_code ec) {
        if (ec || !running_) return;
        ::kill(running_->pid, SIGKILL);
        failed("it did not say it serves within " + std::to_string(answer_timeout.count()) +
               " s, so it was killed");
    });
    asio::async_read(*answer_, asio::buffer(&byte_, 1),
                     [this, served = std::move(served)](std::error_code ec, std::size_t) {
                         if (!running_) return;
                         if (ec) {
                             failed("it ended before it served");
                             return;
                         }
                         const pid_t pid = running_->pid;
                         const int cancels = running_->cancels_fd;
                         deadline_.cancel();
                         answer_.reset();
                         running_.reset();
                         done_ = true;
                         served(pid, cancels);
                     });
    return running_->pid;
}

void upgrade_start::failed(const std::string& why) {
    const pid_t pid = running_->pid;
    int status = 0;
    const std::string how = ::waitpid(pid, &status, 0) == pid ? " (" + exit_text(status) + ")" : "";
    log_.error("upgrade failed: the new pgroute (pid " + std::to_string(pid) + ") " + why + how +
               "; this pgroute goes on serving");
    deadline_.cancel();
    answer_.reset();  // closes the pipe's read end
    ::close(running_->cancels_fd);
    running_.reset();
}

}  // namespace pgroute::proxy
