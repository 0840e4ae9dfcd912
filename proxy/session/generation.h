// A configuration generation: what new sessions are served with, from start-up or from the
// last reload. A session keeps the generation it started with until it ends, so a reload
// changes nothing under it: its endpoint's settings, its limits, its TLS contexts and its
// verifiers stay those it began with, and the new ones serve the sessions that follow.
#pragma once

#include <memory>

#include "proxy/config/config.h"
#include "proxy/net/tls_contexts.h"
#include "proxy/session/auth_lookup.h"
#include "proxy/session/proxy_auth.h"

namespace pgroute::proxy {

// Built once per start-up or reload and shared by every worker.
struct generation {
    std::shared_ptr<const config> cfg;
    std::shared_ptr<tls_contexts> tls;       // SSL_CTX is shared by the sessions made from it
    std::shared_ptr<const proxy_auth> auth;  // set in proxy mode
};

// One worker's share of a generation: the generation, and this worker's auth_query pool for it
// (its connections log in with the generation's auth_user and run its auth_query).
class worker_generation {
  public:
    explicit worker_generation(std::shared_ptr<const generation> shared);
    worker_generation(const worker_generation&) = delete;
    worker_generation& operator=(const worker_generation&) = delete;

    [[nodiscard]] const config& cfg() const { return *shared_->cfg; }
    [[nodiscard]] tls_contexts& tls() const { return *shared_->tls; }
    [[nodiscard]] const proxy_auth* auth() const { return shared_->auth.get(); }
    // Set with auth.auth_user.
    [[nodiscard]] auth_lookup* lookups() const { return lookups_.get(); }

  private:
    std::shared_ptr<const generation> shared_;
    std::unique_ptr<auth_lookup> lookups_;  // after shared_, whose config it reads
};

}  // namespace pgroute::proxy
