// The sessions one worker thread is relaying, so a new topology snapshot (or shutdown) can cut
// the ones it invalidates. Touched only on the owning worker's thread: no locks.
#pragma once

#include <asio/ip/tcp.hpp>
#include <cstdint>
#include <list>
#include <optional>
#include <string>

#include "proxy/config/config.h"
#include "proxy/routing/cut_policy.h"

namespace pgroute::proxy {

// Something of the session's that a cut must interrupt beyond its sockets: the relay.
class session_interrupt {
  public:
    virtual void interrupt() = 0;

  protected:
    session_interrupt() = default;
    session_interrupt(const session_interrupt&) = default;
    session_interrupt& operator=(const session_interrupt&) = default;
    ~session_interrupt() = default;
};

struct session_control {
    const endpoint_config* endpoint = nullptr;
    session_role role = session_role::leader;
    std::string node_name;
    asio::ip::tcp::socket* server = nullptr;
    asio::ip::tcp::socket* client = nullptr;
    std::optional<cut_order> cut;
    bool idle = false;  // the last ReadyForQuery said 'I'
    // A ReadyForQuery, of any status, came after the client's last message: what the node says
    // next, unasked, is the session's end, which the client hears at its next message.
    bool clients_turn = false;
    // Proxy mode: a lone autocommit statement is in flight that the node has not answered yet,
    // which pgroute runs again where the session moves if the node's shutdown FATAL ends it.
    bool statement_kept = false;
    session_interrupt* relay = nullptr;  // while the session relays
    // While the session, its relay over, holds its last word for the client's next message: no
    // topology change concerns it any more, and only shutdown ends the hold early.
    session_interrupt* hold = nullptr;

    // Records the order and, unless it waits for idle, interrupts the relay (or, before it runs,
    // cancels both sockets' pending operations); the session then tells the client why. With a
    // statement kept, every cut waits for idle: the node ends the statement (a shutdown's FATAL,
    // and it runs again elsewhere) or answers it, and the session moves then; cut at once, it
    // could do neither.
    void order_cut(cut_order order);

    // A cut that must land now: the relay checks this before it waits, because a cancel only
    // reaches operations already pending when it was ordered.
    [[nodiscard]] bool cut_due() const { return cut && (!cut->when_idle || idle); }
};

class session_registry {
  public:
    // Keeps a session listed for exactly as long as it lives, whichever way it ends.
    class registration {
      public:
        registration(session_registry& registry, session_control control)
            : registry_(registry),
              handle_(registry.sessions_.insert(registry.sessions_.end(), std::move(control))) {}
        registration(const registration&) = delete;
        registration& operator=(const registration&) = delete;
        ~registration() { registry_.sessions_.erase(handle_); }

        [[nodiscard]] session_control& control() const { return *handle_; }

      private:
        session_registry& registry_;
        std::list<session_control>::iterator handle_;
    };

    [[nodiscard]] std::size_t size() const { return sessions_.size(); }

    // Visits every session that has not been ordered to stop yet and still relays.
    template <typename Fn>
    void for_each_live(Fn&& fn) {
        for (auto& s : sessions_) {
            if (!s.cut && s.hold == nullptr) fn(s);
        }
    }

    // Visits every session that holds its last word for its client's next message.
    template <typename Fn>
    void for_each_holding(Fn&& fn) {
        for (auto& s : sessions_) {
            if (s.hold != nullptr) fn(s);
        }
    }

    // Sessions on each node of the topology, aligned with its nodes, for least-connections.
    [[nodiscard]] std::vector<std::uint32_t> count_per_node(
        const health::topology_snapshot& topology) const;

  private:
    std::list<session_control> sessions_;
};

}  // namespace pgroute::proxy
