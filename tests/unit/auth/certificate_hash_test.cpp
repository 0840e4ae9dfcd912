#include "proxy/auth/certificate_hash.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

namespace pgroute::proxy::auth {
namespace {

struct key_free {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct certificate_free {
    void operator()(X509* certificate) const { X509_free(certificate); }
};
using key_ptr = std::unique_ptr<EVP_PKEY, key_free>;
using certificate_ptr = std::unique_ptr<X509, certificate_free>;

// A self-signed certificate with key, signed with digest (null for Ed25519's built-in one).
certificate_ptr self_signed(EVP_PKEY* key, const EVP_MD* digest) {
    certificate_ptr certificate(X509_new());
    X509_set_version(certificate.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(certificate.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 3600);
    X509_NAME* name = X509_get_subject_name(certificate.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("pgroute test"), -1, -1, 0);
    X509_set_issuer_name(certificate.get(), name);
    X509_set_pubkey(certificate.get(), key);
    EXPECT_GT(X509_sign(certificate.get(), key, digest), 0);
    return certificate;
}

// The hash of the certificate's DER encoding, computed apart from the code under test.
std::vector<std::uint8_t> der_digest(X509* certificate, const EVP_MD* digest) {
    unsigned char* der = nullptr;
    const int length = i2d_X509(certificate, &der);
    std::vector<std::uint8_t> hash(EVP_MD_get_size(digest));
    unsigned int size = 0;
    EVP_Digest(der, length, hash.data(), &size, digest, nullptr);
    OPENSSL_free(der);
    return hash;
}

TEST(certificate_hash, UsesTheSignaturesHashAndSha256ForSha1) {
    const key_ptr key(EVP_EC_gen("P-256"));
    ASSERT_TRUE(key);
    const struct {
        const EVP_MD* signed_with;
        const EVP_MD* hashed_with;
    } cases[] = {
        {EVP_sha256(), EVP_sha256()},
        {EVP_sha384(), EVP_sha384()},
        {EVP_sha512(), EVP_sha512()},
        {EVP_sha1(), EVP_sha256()},  // RFC 5929: MD5 and SHA-1 are replaced by SHA-256
    };
    for (const auto& c : cases) {
        const auto certificate = self_signed(key.get(), c.signed_with);
        const auto hash = tls_server_end_point(certificate.get());
        ASSERT_TRUE(hash) << EVP_MD_get0_name(c.signed_with);
        EXPECT_EQ(*hash, der_digest(certificate.get(), c.hashed_with))
            << EVP_MD_get0_name(c.signed_with);
    }
}

TEST(certificate_hash, IsUndefinedForEd25519) {
    const key_ptr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    ASSERT_TRUE(key);
    const auto certificate = self_signed(key.get(), nullptr);
    EXPECT_FALSE(tls_server_end_point(certificate.get()));
}

}  // namespace
}  // namespace pgroute::proxy::auth
