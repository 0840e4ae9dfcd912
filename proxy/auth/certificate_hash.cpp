#include "proxy/auth/certificate_hash.h"

#include <openssl/evp.h>
#include <openssl/objects.h>

namespace pgroute::proxy::auth {

std::optional<std::vector<std::uint8_t>> tls_server_end_point(const X509* certificate) {
    int digest_nid = NID_undef;
    if (!OBJ_find_sigid_algs(X509_get_signature_nid(certificate), &digest_nid, nullptr) ||
        digest_nid == NID_undef)
        return std::nullopt;
    if (digest_nid == NID_md5 || digest_nid == NID_sha1) digest_nid = NID_sha256;
    const EVP_MD* digest = EVP_get_digestbynid(digest_nid);
    if (digest == nullptr) return std::nullopt;
    std::vector<std::uint8_t> hash(EVP_MAX_MD_SIZE);
    unsigned int length = 0;
    if (X509_digest(certificate, digest, hash.data(), &length) != 1) return std::nullopt;
    hash.resize(length);
    return hash;
}

}  // namespace pgroute::proxy::auth
