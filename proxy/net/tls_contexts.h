// The OpenSSL contexts built once from the config and shared by every worker: one to serve
// clients with pgroute's certificate, one to reach the nodes. SSL_CTX is safe to share across
// threads once configured; each session makes its own SSL from it.
#pragma once

#include <asio/ssl/context.hpp>
#include <optional>

#include "proxy/config/config.h"

namespace pgroute::proxy {

struct tls_contexts {
    std::optional<asio::ssl::context> clients;      // set when the config has a tls section
    std::optional<asio::ssl::context> nodes;        // set unless server_tls.mode is disable
    std::optional<asio::ssl::context> patroni_api;  // in Patroni mode, for https api_urls
};

// The context to answer an SSLRequest on `endpoint` with, or null to answer 'N'.
[[nodiscard]] asio::ssl::context* client_tls_offer(tls_contexts& contexts,
                                                   const endpoint_config& endpoint);

// Throws std::runtime_error naming the file and OpenSSL's reason when a certificate, key or CA
// cannot be loaded, so `pgroute --check` and startup fail with one clear line.
[[nodiscard]] tls_contexts make_tls_contexts(const config& cfg);

}  // namespace pgroute::proxy
