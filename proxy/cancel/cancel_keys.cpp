#include "proxy/cancel/cancel_keys.h"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <stdexcept>
#include <string_view>

#include "protocol/byte_reader.h"

namespace pgroute::proxy {

namespace {

std::string map_key(const protocol::cancel_key& key) {
    std::string bytes(4 + key.secret.size(), '\0');
    protocol::write_backend_key_data(key, bytes);
    return bytes;
}

void fill_random(std::span<char> bytes) {
    // getrandom() on a few bytes never returns short once the pool is initialised; loop anyway.
    std::size_t got = 0;
    while (got < bytes.size()) {
        const ssize_t n = getrandom(bytes.data() + got, bytes.size() - got, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error("getrandom failed: cannot issue a cancel key");
        }
        got += static_cast<std::size_t>(n);
    }
}

protocol::cancel_key random_key(std::uint8_t instance, std::size_t secret_length) {
    std::array<char, 4> process_id{};
    fill_random(process_id);
    if (instance != 0) process_id[0] = static_cast<char>(instance);  // the top byte, big-endian
    protocol::cancel_key key{protocol::load_u32(process_id.data()),
                             std::string(secret_length, '\0')};
    fill_random(key.secret);
    return key;
}

}  // namespace

cancel_keys::lease cancel_keys::issue(cancel_target target, std::size_t secret_length) {
    const std::lock_guard guard(lock_);
    for (;;) {
        protocol::cancel_key key = random_key(instance_, secret_length);
        if (targets_.try_emplace(map_key(key), target).second) return lease(*this, std::move(key));
    }
}

std::optional<cancel_target> cancel_keys::find(const protocol::cancel_key& key) const {
    const std::lock_guard guard(lock_);
    const auto found = targets_.find(map_key(key));
    if (found == targets_.end()) return std::nullopt;
    return found->second;
}

void cancel_keys::retarget(const lease& issued, cancel_target target) {
    const std::lock_guard guard(lock_);
    targets_.insert_or_assign(map_key(issued.key()), std::move(target));
}

std::size_t cancel_keys::size() const {
    const std::lock_guard guard(lock_);
    return targets_.size();
}

void cancel_keys::forget(const protocol::cancel_key& key) {
    const std::lock_guard guard(lock_);
    targets_.erase(map_key(key));
}

bool cancel_key_swap::replace(std::span<char> body, std::uint32_t version) {
    auto node_key = protocol::read_backend_key_data(std::string_view(body.data(), body.size()));
    if (!node_key || !protocol::secret_length_allowed(node_key->secret.size(), version)) {
        return false;
    }
    const std::size_t secret_length = node_key->secret.size();
    lease_.reset();  // a node sends one BackendKeyData; should it send another, the last counts
    lease_.emplace(keys_.issue({node_, std::move(*node_key)}, secret_length));
    return protocol::write_backend_key_data(lease_->key(), body);
}

bool cancel_key_swap::retarget(health::node_address node, std::string_view body,
                               std::uint32_t version) {
    auto node_key = protocol::read_backend_key_data(body);
    if (!lease_ || !node_key ||
        !protocol::secret_length_allowed(node_key->secret.size(), version) ||
        node_key->secret.size() != lease_->key().secret.size()) {
        return false;
    }
    node_ = std::move(node);
    keys_.retarget(*lease_, {node_, std::move(*node_key)});
    return true;
}

}  // namespace pgroute::proxy
