#include "proxy/app/upgrade_takeover.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "proxy/app/upgrade_handover.h"
#include "proxy/session/listener.h"

namespace pgroute::proxy {

std::optional<takeover> take_over_listeners(const config& cfg, unsigned workers,
                                            const logger& log) {
    const char* text = std::getenv(handover_variable);
    if (text == nullptr) return std::nullopt;
    const auto handed = decode_handover(text);
    const std::string copy = text;
    ::unsetenv(handover_variable);
    // Absent when the old pgroute is of a version without the channel.
    std::optional<int> cancels;
    if (const char* channel = std::getenv(cancels_variable)) {
        cancels = decode_descriptor(channel);
        if (!cancels) {
            log.warn(std::string("upgrade: cannot read ") + cancels_variable + "=" + channel +
                     "; cancel requests for the old process's sessions will be dropped");
        }
        ::unsetenv(cancels_variable);
    }
    if (!handed) {
        if (cancels) ::close(*cancels);
        log.error(std::string("upgrade: cannot read ") + handover_variable + "=" + copy +
                  "; starting without the old process's sockets");
        return std::nullopt;
    }
    takeover out;
    out.ready_fd = handed->ready_fd;
    out.cancels = cancels;
    out.old_pid = ::getppid();
    out.by_worker.assign(workers, std::vector<endpoint_listeners>(cfg.endpoints.size()));
    std::vector<std::size_t> dealt(cfg.endpoints.size(), 0);
    std::size_t adopted = 0;
    for (const int fd : handed->listeners) {
        std::size_t e = 0;
        while (e < cfg.endpoints.size() && !bound_to(fd, cfg.endpoints[e].listen))
            ++e;
        if (e == cfg.endpoints.size()) {
            // An endpoint the new config dropped: its queued connections go with the socket.
            log.warn("upgrade: no endpoint listens where inherited socket " + std::to_string(fd) +
                     " is bound any more; closing it");
            ::close(fd);
            continue;
        }
        // Round robin, so that every inherited socket, and the connections queued on it, has a
        // worker to accept from it whatever the two processes' thread counts.
        out.by_worker[dealt[e]++ % workers][e].sockets.push_back(fd);
        ++adopted;
    }
    for (auto& endpoints : out.by_worker) {
        for (std::size_t e = 0; e < endpoints.size(); ++e)
            endpoints[e].address_inherited = dealt[e] > 0;
    }
    if (handed->admin) {
        if (cfg.admin && bound_to(*handed->admin, cfg.admin->listen)) {
            out.admin = handed->admin;
        } else {
            log.warn("upgrade: the admin listener moved; closing the inherited one");
            ::close(*handed->admin);
        }
    }
    log.info("upgrade: took over " + std::to_string(adopted) + " listening socket(s)" +
             (out.admin ? " and the admin listener" : "") + " from pid " +
             std::to_string(out.old_pid));
    return out;
}

void report_serving(takeover& taken, const logger& log) {
    const char serving = '1';
    if (::write(taken.ready_fd, &serving, 1) != 1) {
        log.error(std::string("upgrade: cannot tell the old process that this one serves: ") +
                  std::strerror(errno));
    }
    ::close(taken.ready_fd);
    taken.ready_fd = -1;
}

}  // namespace pgroute::proxy
