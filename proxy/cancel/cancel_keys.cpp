#include "proxy/cancel/cancel_keys.h"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <stdexcept>
#include <string_view>

namespace pgroute::proxy {

namespace {

std::uint64_t map_key(protocol::cancel_key key) {
    return (std::uint64_t{key.process_id} << 32) | key.secret;
}

protocol::cancel_key random_key() {
    std::array<std::uint32_t, 2> words{};
    // getrandom() on a few bytes never returns short once the pool is initialised; loop anyway.
    auto* bytes = reinterpret_cast<char*>(words.data());
    std::size_t got = 0;
    while (got < sizeof words) {
        const ssize_t n = getrandom(bytes + got, sizeof words - got, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error("getrandom failed: cannot issue a cancel key");
        }
        got += static_cast<std::size_t>(n);
    }
    return {words[0], words[1]};
}

}  // namespace

cancel_keys::lease cancel_keys::issue(cancel_target target) {
    const std::lock_guard guard(lock_);
    for (;;) {
        const protocol::cancel_key key = random_key();
        if (targets_.try_emplace(map_key(key), target).second) return lease(*this, key);
    }
}

std::optional<cancel_target> cancel_keys::find(protocol::cancel_key key) const {
    const std::lock_guard guard(lock_);
    const auto found = targets_.find(map_key(key));
    if (found == targets_.end()) return std::nullopt;
    return found->second;
}

std::size_t cancel_keys::size() const {
    const std::lock_guard guard(lock_);
    return targets_.size();
}

void cancel_keys::forget(protocol::cancel_key key) {
    const std::lock_guard guard(lock_);
    targets_.erase(map_key(key));
}

void cancel_key_swap::replace(std::span<char> body) {
    const auto node_key =
        protocol::read_backend_key_data(std::string_view(body.data(), body.size()));
    if (!node_key) return;
    lease_.reset();  // a node sends one BackendKeyData; should it send another, the last counts
    lease_.emplace(keys_.issue({node_, *node_key}));
    protocol::write_backend_key_data(lease_->key(),
                                     body.first<protocol::backend_key_data_body_size>());
}

}  // namespace pgroute::proxy
