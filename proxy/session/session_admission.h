// Which accepted clients a worker serves: the process-wide max_client_connections, and none
// once the worker stops. It counts what still runs (sessions and refusals being delivered), so
// that shutdown can wait for their goodbyes, and numbers the sessions for their log lines.
// Owning worker's thread only, except the shared client count (atomic).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "proxy/metrics/counters.h"

namespace pgroute::proxy {

class session_admission {
  public:
    session_admission(std::atomic<std::uint32_t>& client_count, std::uint32_t max_clients,
                      unsigned worker_index)
        : client_count_(client_count), max_clients_(max_clients), worker_index_(worker_index) {}

    // A client was accepted. True: it counts against the limit until session_ended(). False:
    // the limit is reached; it is turned away, and refusal_delivered() follows.
    [[nodiscard]] bool admit();
    void session_ended();
    void refusal_delivered();

    void stop() { stopping_ = true; }
    [[nodiscard]] bool stopping() const { return stopping_; }
    // Sessions and refusals accepted and not yet finished.
    [[nodiscard]] std::size_t running() const { return running_; }
    [[nodiscard]] std::uint32_t max_clients() const { return max_clients_; }
    // A reload's limits.max_client_connections: clients already admitted stay.
    void set_max_clients(std::uint32_t max_clients) { max_clients_ = max_clients; }
    // "<worker>-<n>": unique in the process.
    [[nodiscard]] std::string next_session_id();

  private:
    std::atomic<std::uint32_t>& client_count_;
    std::uint32_t max_clients_;
    unsigned worker_index_;
    std::uint64_t sessions_numbered_ = 0;
    std::size_t running_ = 0;
    bool stopping_ = false;
};

// An admitted session, counted as running until this is destroyed, however the session ends:
// in its coroutine, at its relay's completion, or by an exception in either.
class admitted_session {
  public:
    admitted_session(session_admission& admission, counter& sessions_ended)
        : admission_(&admission), sessions_ended_(&sessions_ended) {}
    admitted_session(admitted_session&& other) noexcept
        : admission_(std::exchange(other.admission_, nullptr)),
          sessions_ended_(other.sessions_ended_) {}
    admitted_session& operator=(admitted_session&&) = delete;
    admitted_session(const admitted_session&) = delete;
    admitted_session& operator=(const admitted_session&) = delete;
    ~admitted_session() {
        if (admission_ == nullptr) return;
        admission_->session_ended();
        sessions_ended_->add();
    }

  private:
    session_admission* admission_;
    counter* sessions_ended_;
};

}  // namespace pgroute::proxy
