#include "proxy/session/generation.h"

namespace pgroute::proxy {

namespace {

std::unique_ptr<auth_lookup> make_auth_lookup(const generation& shared) {
    if (shared.auth == nullptr || !shared.auth->auth_user_login) return nullptr;
    return std::make_unique<auth_lookup>(*shared.cfg, *shared.auth->auth_user_login,
                                         *shared.auth->looked_up, *shared.tls);
}

}  // namespace

worker_generation::worker_generation(std::shared_ptr<const generation> shared)
    : shared_(std::move(shared)), lookups_(make_auth_lookup(*shared_)) {}

}  // namespace pgroute::proxy
