#include "proxy/app/auth_setup.h"

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "proxy/auth/certificate_hash.h"
#include "proxy/auth/crypto.h"

namespace pgroute::proxy {

proxy_auth make_proxy_auth(const auth_config& cfg, asio::ssl::context* client_tls) {
    proxy_auth made;
    std::ifstream in(cfg.auth_file);
    if (!in) throw std::runtime_error("auth.auth_file: cannot read '" + cfg.auth_file + "'");
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    auto users = auth::load_userlist(text);  // wipes `text`
    if (!users) {
        throw std::runtime_error("auth.auth_file: " + cfg.auth_file + ": line " +
                                 std::to_string(users.error().line) + ": " + users.error().message);
    }
    made.users = std::move(users).value();
    if (!cfg.auth_user.empty()) {
        const auto found = made.users.find(cfg.auth_user);
        if (found == made.users.end()) {
            throw std::runtime_error("auth.auth_user \"" + cfg.auth_user + "\" is not in " +
                                     cfg.auth_file +
                                     ": pgroute logs in as it with what that file holds");
        }
        if (found->second.scram && !found->second.md5) {
            throw std::runtime_error(
                "auth.auth_user \"" + cfg.auth_user + "\" has only a SCRAM secret in " +
                cfg.auth_file +
                ": pgroute cannot log in by SCRAM without a client's proof; give its md5 hash, or "
                "no password where the nodes trust it");
        }
        made.auth_user_login = login_credentials{found->second, std::nullopt};
        made.looked_up = std::make_unique<verifier_cache>(cfg.auth_cache_ttl);
    }
    auth::random_bytes(made.mock_key);
    if (client_tls != nullptr) {
        const X509* own = SSL_CTX_get0_certificate(client_tls->native_handle());
        if (own != nullptr)
            made.certificate_hash =
                auth::tls_server_end_point(own).value_or(std::vector<std::uint8_t>{});
    }
    return made;
}

}  // namespace pgroute::proxy
