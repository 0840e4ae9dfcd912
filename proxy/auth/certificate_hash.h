// tls-server-end-point channel binding data (RFC 5929, section 4.1): the hash of a certificate
// with the hash function of its signature algorithm, SHA-256 in place of MD5 and SHA-1. It is
// what a SCRAM-SHA-256-PLUS client binds to, for pgroute's own certificate, and what pgroute binds
// to when it logs into a node over TLS, for the node's.
#pragma once

#include <openssl/x509.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace pgroute::proxy::auth {

// nullopt when the signature algorithm has no single hash function (Ed25519, Ed448), for which
// RFC 5929 defines no binding: channel binding is then not offered, as PostgreSQL does not.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> tls_server_end_point(
    const X509* certificate);

}  // namespace pgroute::proxy::auth
