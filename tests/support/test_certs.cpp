#include "tests/support/test_certs.h"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/text_file.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

// Our own configuration, so that neither the system's openssl.cnf nor its defaults decide which
// extensions a certificate gets.
constexpr std::string_view openssl_config =
    "[req]\n"
    "distinguished_name = dn\n"
    "prompt = no\n"
    "[dn]\n"
    "CN = unused\n"
    "[ca_ext]\n"
    "basicConstraints = critical, CA:TRUE\n"
    "keyUsage = critical, keyCertSign, cRLSign\n"
    "subjectKeyIdentifier = hash\n"
    "[server_ext]\n"
    "basicConstraints = critical, CA:FALSE\n"
    "keyUsage = critical, digitalSignature, keyEncipherment\n"
    "extendedKeyUsage = serverAuth\n"
    "subjectAltName = IP:127.0.0.1\n"
    "subjectKeyIdentifier = hash\n"
    "authorityKeyIdentifier = keyid\n"
    "[client_ext]\n"
    "basicConstraints = critical, CA:FALSE\n"
    "keyUsage = critical, digitalSignature\n"
    "extendedKeyUsage = clientAuth\n"
    "subjectKeyIdentifier = hash\n"
    "authorityKeyIdentifier = keyid\n";

constexpr std::string_view validity_days = "30";

void openssl(std::vector<std::string> arguments, const std::filesystem::path& dir) {
    arguments.insert(arguments.begin(), "openssl");
    run_checked({.argv = std::move(arguments), .working_dir = dir}, 30s);
}

// A private key that only its owner may read, as PostgreSQL and libpq demand of key files.
void make_key(const std::filesystem::path& key, const std::filesystem::path& dir) {
    openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
             key.string()},
            dir);
    std::filesystem::permissions(
        key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

void make_ca(const std::filesystem::path& cert, const std::filesystem::path& key,
             std::string_view common_name, const std::filesystem::path& config,
             const std::filesystem::path& dir) {
    make_key(key, dir);
    openssl({"req", "-x509", "-new", "-config", config.string(), "-extensions", "ca_ext", "-key",
             key.string(), "-subj", "/CN=" + std::string(common_name), "-sha256", "-days",
             std::string(validity_days), "-out", cert.string()},
            dir);
}

// A new key and a certificate for it, signed by the CA; `extensions` names a section of
// openssl_config. The serial only has to differ among the certificates one CA signs.
void make_signed(const std::filesystem::path& cert, const std::filesystem::path& key,
                 std::string_view common_name, std::string_view extensions, int serial,
                 const std::filesystem::path& ca_cert, const std::filesystem::path& ca_key,
                 const std::filesystem::path& config, const std::filesystem::path& dir) {
    make_key(key, dir);
    const std::filesystem::path request = dir / (cert.stem().string() + ".csr");
    openssl({"req", "-new", "-config", config.string(), "-key", key.string(), "-subj",
             "/CN=" + std::string(common_name), "-out", request.string()},
            dir);
    openssl({"x509", "-req", "-in", request.string(), "-CA", ca_cert.string(), "-CAkey",
             ca_key.string(), "-set_serial", std::to_string(serial), "-sha256", "-days",
             std::string(validity_days), "-extfile", config.string(), "-extensions",
             std::string(extensions), "-out", cert.string()},
            dir);
    std::filesystem::remove(request);
}

// PostgreSQL runs as `postgres` when the test runs as root (see Command::as_postgres), and it
// reads its key file only if the file is its own.
void give_to_postgres_if_root(const std::filesystem::path& path) {
    if (geteuid() != 0) return;
    const passwd* user = getpwnam("postgres");
    if (user == nullptr) throw std::runtime_error("running as root, but there is no `postgres`");
    if (chown(path.c_str(), user->pw_uid, user->pw_gid) < 0) {
        throw std::system_error(errno, std::generic_category(), "chown " + path.string());
    }
}

}  // namespace

test_certs make_test_certs(const std::filesystem::path& dir) {
    test_certs certs{
        .ca_cert = dir / "ca.crt",
        .ca_key = dir / "ca.key",
        .server_cert = dir / "server.crt",
        .server_key = dir / "server.key",
        .node_cert = dir / "node.crt",
        .node_key = dir / "node.key",
        .client_cert = dir / "client.crt",
        .client_key = dir / "client.key",
        .other_ca_cert = dir / "other_ca.crt",
        .other_ca_key = dir / "other_ca.key",
        .other_client_cert = dir / "other_client.crt",
        .other_client_key = dir / "other_client.key",
    };
    const std::filesystem::path config = dir / "openssl.cnf";
    write_text(config, openssl_config);

    make_ca(certs.ca_cert, certs.ca_key, "pgroute test CA", config, dir);
    make_signed(certs.server_cert, certs.server_key, "127.0.0.1", "server_ext", 1, certs.ca_cert,
                certs.ca_key, config, dir);
    make_signed(certs.node_cert, certs.node_key, "127.0.0.1", "server_ext", 2, certs.ca_cert,
                certs.ca_key, config, dir);
    make_signed(certs.client_cert, certs.client_key, "trust_user", "client_ext", 3, certs.ca_cert,
                certs.ca_key, config, dir);
    give_to_postgres_if_root(certs.node_key);

    make_ca(certs.other_ca_cert, certs.other_ca_key, "pgroute unrelated test CA", config, dir);
    make_signed(certs.other_client_cert, certs.other_client_key, "trust_user", "client_ext", 1,
                certs.other_ca_cert, certs.other_ca_key, config, dir);
    return certs;
}

}  // namespace pgroute::test_support
