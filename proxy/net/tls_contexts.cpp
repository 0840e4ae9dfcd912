#include "proxy/net/tls_contexts.h"

#include <stdexcept>
#include <string>

namespace pgroute::proxy {

namespace {

using asio::ssl::context;

// TLS 1.2 and later only, without renegotiation or compression.
context base_context(context::method method) {
    context ctx(method);
    ctx.set_options(context::default_workarounds | context::no_sslv2 | context::no_sslv3 |
                    context::no_tlsv1 | context::no_tlsv1_1 | context::no_compression);
    return ctx;
}

template <typename Load>
void load(const char* what, const std::string& path, Load&& load_file) {
    try {
        load_file();
    } catch (const std::system_error& e) {
        throw std::runtime_error(std::string("cannot load TLS ") + what + " '" + path +
                                 "': " + e.code().message());
    }
}

context client_facing(const tls_config& tls) {
    context ctx = base_context(context::tls_server);
    load("certificate", tls.cert_file, [&] { ctx.use_certificate_chain_file(tls.cert_file); });
    load("key", tls.key_file, [&] { ctx.use_private_key_file(tls.key_file, context::pem); });
    if (!tls.ca_file.empty()) {
        load("CA", tls.ca_file, [&] { ctx.load_verify_file(tls.ca_file); });
        // Like PostgreSQL with a root cert: a certificate a client presents must verify, but
        // none is demanded (pg_hba's clientcert is the server's business, not the proxy's).
        ctx.set_verify_mode(asio::ssl::verify_peer);
    }
    return ctx;
}

context node_facing(const server_tls_config& tls) {
    context ctx = base_context(context::tls_client);
    if (tls.mode == server_tls_mode::verify_full) {
        load("CA", tls.ca_file, [&] { ctx.load_verify_file(tls.ca_file); });
        ctx.set_verify_mode(asio::ssl::verify_peer);
    } else {
        ctx.set_verify_mode(asio::ssl::verify_none);  // prefer/require: encryption only
    }
    return ctx;
}

// An https REST API is always verified (host name included): its answers decide where writes go.
context patroni_api_facing(const patroni_config& patroni) {
    context ctx = base_context(context::tls_client);
    if (patroni.api_ca_file.empty()) {
        ctx.set_default_verify_paths();
    } else {
        load("CA", patroni.api_ca_file, [&] { ctx.load_verify_file(patroni.api_ca_file); });
    }
    if (!patroni.api_cert_file.empty()) {
        load("certificate", patroni.api_cert_file,
             [&] { ctx.use_certificate_chain_file(patroni.api_cert_file); });
        load("key", patroni.api_key_file,
             [&] { ctx.use_private_key_file(patroni.api_key_file, context::pem); });
    }
    ctx.set_verify_mode(asio::ssl::verify_peer);
    return ctx;
}

}  // namespace

asio::ssl::context* client_tls_offer(tls_contexts& contexts, const endpoint_config& endpoint) {
    if (endpoint.tls == client_tls_mode::disable || !contexts.clients) return nullptr;
    return &*contexts.clients;
}

tls_contexts make_tls_contexts(const config& cfg) {
    tls_contexts contexts;
    if (cfg.tls) contexts.clients.emplace(client_facing(*cfg.tls));
    if (cfg.server_tls.mode != server_tls_mode::disable) {
        contexts.nodes.emplace(node_facing(cfg.server_tls));
    }
    if (cfg.patroni) contexts.patroni_api.emplace(patroni_api_facing(*cfg.patroni));
    return contexts;
}

}  // namespace pgroute::proxy
