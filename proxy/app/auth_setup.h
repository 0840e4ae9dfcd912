// Proxy mode's start-up: the auth_file read and its verifiers made, the mock key drawn, the
// channel-binding data of pgroute's certificate taken from the client TLS context (`client_tls`,
// null without one).
#pragma once

#include <asio/ssl/context.hpp>

#include "proxy/config/config.h"
#include "proxy/session/proxy_auth.h"

namespace pgroute::proxy {

// Throws std::runtime_error naming the file, and the line for a malformed one, so that
// `pgroute --check` and start-up fail with one clear line. Never quotes a password.
[[nodiscard]] proxy_auth make_proxy_auth(const auth_config& cfg, asio::ssl::context* client_tls);

}  // namespace pgroute::proxy
