// The cancel keys pgroute hands to clients instead of the nodes' own, and what each one stands
// for. A client's CancelRequest may arrive on any endpoint and any worker thread, so the map is
// process-wide; it is touched once per session start and end and once per cancel, never per
// message, so a mutex is enough.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <unordered_map>
#include <utility>

#include "health/topology/snapshot.h"
#include "protocol/cancel_key.h"

namespace pgroute::proxy {

// Where a cancel must go: the node that ran the session, with the key the node issued.
struct cancel_target {
    health::NodeAddress node;
    protocol::cancel_key key;
};

class cancel_keys {
  public:
    // Keeps one issued key registered for as long as it lives.
    class lease {
      public:
        lease(cancel_keys& owner, protocol::cancel_key key) : owner_(&owner), key_(key) {}
        lease(lease&& other) noexcept
            : owner_(std::exchange(other.owner_, nullptr)), key_(other.key_) {}
        lease& operator=(lease&&) = delete;
        lease(const lease&) = delete;
        lease& operator=(const lease&) = delete;
        ~lease() {
            if (owner_) owner_->forget(key_);
        }

        [[nodiscard]] protocol::cancel_key key() const { return key_; }

      private:
        cancel_keys* owner_;
        protocol::cancel_key key_;
    };

    // A fresh key, random in all 64 bits (unguessable, unlike a sequential pid), for `target`.
    [[nodiscard]] lease issue(cancel_target target);

    [[nodiscard]] std::optional<cancel_target> find(protocol::cancel_key key) const;
    [[nodiscard]] std::size_t size() const;

  private:
    void forget(protocol::cancel_key key);

    mutable std::mutex lock_;
    std::unordered_map<std::uint64_t, cancel_target> targets_;
};

// One session's cancel key: replaces the BackendKeyData its node sent with a key of pgroute's,
// registered until the session ends.
class cancel_key_swap {
  public:
    cancel_key_swap(cancel_keys& keys, health::NodeAddress node)
        : keys_(keys), node_(std::move(node)) {}

    // `body` is the node's BackendKeyData body, still in the relay's buffer; rewritten in place.
    // A body that is not protocol 3.0's 8 bytes is left alone.
    void replace(std::span<char> body);

  private:
    cancel_keys& keys_;
    health::NodeAddress node_;
    std::optional<cancel_keys::lease> lease_;
};

}  // namespace pgroute::proxy
