#include "proxy/app/generation_setup.h"

#include "proxy/app/auth_setup.h"

namespace pgroute::proxy {

std::shared_ptr<const generation> make_generation(std::shared_ptr<const config> cfg,
                                                  const generation* running) {
    auto tls = std::make_shared<tls_contexts>(make_tls_contexts(*cfg));
    std::shared_ptr<proxy_auth> auth;
    if (cfg->auth.mode == auth_mode::proxy) {
        auth = std::make_shared<proxy_auth>(
            make_proxy_auth(cfg->auth, tls->clients ? &*tls->clients : nullptr));
        if (running != nullptr && running->auth) auth->mock_key = running->auth->mock_key;
    }
    return std::make_shared<const generation>(
        generation{std::move(cfg), std::move(tls), std::move(auth)});
}

}  // namespace pgroute::proxy
