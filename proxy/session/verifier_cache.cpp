#include "proxy/session/verifier_cache.h"

namespace pgroute::proxy {

std::optional<std::optional<auth::stored_verifier>> verifier_cache::find(const std::string& user) {
    const std::lock_guard lock(mutex_);
    const auto found = entries_.find(user);
    if (found == entries_.end()) return std::nullopt;
    if (found->second.until <= std::chrono::steady_clock::now()) {
        entries_.erase(found);
        return std::nullopt;
    }
    return found->second.verifier;
}

void verifier_cache::remember(const std::string& user,
                              const std::optional<auth::stored_verifier>& verifier) {
    if (ttl_.count() <= 0) return;
    const auto now = std::chrono::steady_clock::now();
    const std::lock_guard lock(mutex_);
    if (entries_.size() >= max_cached_users) {
        std::erase_if(entries_, [&](const auto& kept) { return kept.second.until <= now; });
        if (entries_.size() >= max_cached_users) entries_.clear();
    }
    entries_[user] = entry{verifier, now + ttl_};
}

}  // namespace pgroute::proxy
