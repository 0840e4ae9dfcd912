// The cancel keys pgroute hands to clients instead of the nodes' own, and what each one stands
// for. A client's CancelRequest may arrive on any endpoint and any worker thread, so the map is
// process-wide; it is touched once per session start and end and once per cancel, never per
// message, so a mutex is enough.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>

#include "health/topology/snapshot.h"
#include "protocol/cancel_key.h"

namespace pgroute::proxy {

// Where a cancel must go: the node that ran the session, with the key the node issued.
struct cancel_target {
    health::node_address node;
    protocol::cancel_key key;
};

class cancel_keys {
  public:
    // `instance`: this pgroute's peering id (1 to 255), carried in the top byte of every key's
    // process id so that a peer handed the key knows whose it is; 0 without peering.
    explicit cancel_keys(std::uint8_t instance = 0) : instance_(instance) {}

    // The peering id a key was issued with (meaningful only where peering is configured).
    [[nodiscard]] static unsigned instance_of(const protocol::cancel_key& key) {
        return key.process_id >> 24;
    }

    // Keeps one issued key registered for as long as it lives.
    class lease {
      public:
        lease(cancel_keys& owner, protocol::cancel_key key)
            : owner_(&owner), key_(std::move(key)) {}
        lease(lease&& other) noexcept
            : owner_(std::exchange(other.owner_, nullptr)), key_(std::move(other.key_)) {}
        lease& operator=(lease&&) = delete;
        lease(const lease&) = delete;
        lease& operator=(const lease&) = delete;
        ~lease() {
            if (owner_) owner_->forget(key_);
        }

        [[nodiscard]] const protocol::cancel_key& key() const { return key_; }

      private:
        cancel_keys* owner_;
        protocol::cancel_key key_;
    };

    // A fresh key for `target` with a secret of `secret_length` bytes, random in every bit, the
    // process id's too (unguessable, unlike a sequential pid) but for the instance's byte.
    [[nodiscard]] lease issue(cancel_target target, std::size_t secret_length);

    [[nodiscard]] std::optional<cancel_target> find(const protocol::cancel_key& key) const;
    // A key already issued stands for `target` from now on: its session moved to another node.
    void retarget(const lease& issued, cancel_target target);
    [[nodiscard]] std::size_t size() const;

  private:
    void forget(const protocol::cancel_key& key);

    std::uint8_t instance_;
    mutable std::mutex lock_;
    // By the key's bytes as on the wire: keys of different lengths never meet.
    std::unordered_map<std::string, cancel_target> targets_;
};

// One session's cancel key: replaces the BackendKeyData its node sent with a key of pgroute's,
// registered until the session ends.
class cancel_key_swap {
  public:
    cancel_key_swap(cancel_keys& keys, health::node_address node)
        : keys_(keys), node_(std::move(node)) {}

    // `body` is the node's BackendKeyData body, still in the relay's buffer: rewritten in place
    // with a key of pgroute's whose secret is as long as the node's. The node chose that length
    // for the protocol version it settled on with the client, so the client accepts it. False,
    // and nothing changed, for a body that holds no key `version` allows.
    [[nodiscard]] bool replace(std::span<char> body, std::uint32_t version);
    // The session moved to `node`, whose BackendKeyData body is `body`: the client keeps the key
    // it has, which cancels there from now on. False for a body that holds no key `version`
    // allows, or one whose secret is not as long as the client's.
    [[nodiscard]] bool retarget(health::node_address node, std::string_view body,
                                std::uint32_t version);

  private:
    cancel_keys& keys_;
    health::node_address node_;
    std::optional<cancel_keys::lease> lease_;
};

}  // namespace pgroute::proxy
