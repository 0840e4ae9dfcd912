// auth_query's answers, shared by every worker thread (a user one looked up is known to all)
// for auth.auth_cache_ttl, a user found missing too; synchronised on its own. Bounded: a flood of
// made-up user names cannot grow it past max_cached_users.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "proxy/auth/stored_verifier.h"

namespace pgroute::proxy {

class verifier_cache {
  public:
    static constexpr std::size_t max_cached_users = 10'000;

    // `ttl` 0 keeps nothing.
    explicit verifier_cache(std::chrono::milliseconds ttl) : ttl_(ttl) {}

    // Outer nullopt: not known (or expired); inner nullopt: no such user.
    [[nodiscard]] std::optional<std::optional<auth::stored_verifier>> find(const std::string& user);
    void remember(const std::string& user, const std::optional<auth::stored_verifier>& verifier);

  private:
    struct entry {
        std::optional<auth::stored_verifier> verifier;
        std::chrono::steady_clock::time_point until;
    };

    std::chrono::milliseconds ttl_;
    std::mutex mutex_;
    std::unordered_map<std::string, entry> entries_;
};

}  // namespace pgroute::proxy
