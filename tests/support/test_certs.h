// Certificates for TLS tests, made with the openssl command-line tool in a directory the test
// owns: a test CA and what it signed, plus a second, unrelated CA for "wrong CA" cases.
#pragma once

#include <filesystem>

namespace pgroute::test_support {

// Every server certificate is for 127.0.0.1, as CN and as subjectAltName IP, so that a client
// connecting to host=127.0.0.1 can verify it in full (libpq's sslmode=verify-full). Keys are
// ECDSA P-256 (quick to make), mode 0600, each owned by the user of the process that reads it.
struct test_certs {
    std::filesystem::path ca_cert;
    std::filesystem::path ca_key;
    // pgroute's own certificate, offered to its clients.
    std::filesystem::path server_cert;
    std::filesystem::path server_key;
    // The PostgreSQL nodes' certificate: a different one from pgroute's, so that a session that
    // is bound to one of them (SCRAM channel binding) cannot pass for bound to the other. When
    // the test runs as root its key belongs to `postgres`: PostgreSQL refuses a key file that
    // is not its own (or root's with mode 0640).
    std::filesystem::path node_cert;
    std::filesystem::path node_key;
    // A client certificate (CN=trust_user) signed by the test CA.
    std::filesystem::path client_cert;
    std::filesystem::path client_key;
    // A CA that signed none of the above, and a client certificate that it did sign.
    std::filesystem::path other_ca_cert;
    std::filesystem::path other_ca_key;
    std::filesystem::path other_client_cert;
    std::filesystem::path other_client_key;
};

// Writes all of test_certs into `dir` (which must exist and be writable); throws with openssl's
// output if a step fails. The certificates are valid from now for 30 days.
[[nodiscard]] test_certs make_test_certs(const std::filesystem::path& dir);

}  // namespace pgroute::test_support
