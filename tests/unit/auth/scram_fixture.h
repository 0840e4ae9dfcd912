// The exchanges the SCRAM tests start from: RFC 7677's example and the one recorded between libpq
// and PostgreSQL 15 (postgres_answers.h).
#pragma once

#include <string>
#include <string_view>

#include "proxy/auth/base64.h"
#include "proxy/auth/scram_login.h"
#include "proxy/auth/scram_secret.h"
#include "proxy/auth/scram_server.h"
#include "tests/unit/auth/postgres_answers.h"

namespace pgroute::proxy::auth::testing {

inline constexpr scram_recording rfc7677{
    .salt = "W22ZaJ0SNY7soEsUEjb6gQ==",
    .client_nonce = "rOprNGfwEbeRWgbNEkqO",
    .server_nonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
    .client_first = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
    .server_first =
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    .client_final =
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
        "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    .server_final = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};

inline scram_keys rfc7677_keys() {
    return derive_scram_keys("pencil", *base64_decode(rfc7677.salt), 4096);
}

// Parsed once: the fuzz targets ask for it on every input.
inline const scram_secret& postgres_secret() {
    static const scram_secret secret = *parse_scram_secret(postgres_answers::scram_secret_text);
    return secret;
}

inline scram_keys postgres_keys() {
    return derive_scram_keys(postgres_answers::password, postgres_secret().salt,
                             postgres_secret().iterations);
}

// pgroute logging in as the recorded user, with libpq's nonce unless told otherwise.
inline scram_credentials postgres_credentials(
    std::string nonce = std::string(postgres_answers::libpq_login.client_nonce)) {
    return {std::string(postgres_answers::scram_user),
            postgres_keys().client_key,
            postgres_secret(),
            {},
            std::move(nonce)};
}

// An exchange for the user of the recorded login, with its secret and server nonce.
inline scram_exchange postgres_exchange(channel_binding binding = {}) {
    return {std::string(postgres_answers::scram_user),
            {postgres_secret(), false},
            std::move(binding),
            std::string(postgres_answers::libpq_login.server_nonce)};
}

}  // namespace pgroute::proxy::auth::testing
