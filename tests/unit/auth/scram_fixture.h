// The exchanges the SCRAM tests start from: RFC 7677's example and the one recorded between libpq
// and PostgreSQL 15 (postgres_answers.h).
#pragma once

#include <string>
#include <string_view>

#include "proxy/auth/base64.h"
#include "proxy/auth/scram_secret.h"
#include "proxy/auth/scram_server.h"
#include "tests/unit/auth/postgres_answers.h"

namespace pgroute::proxy::auth::testing {

namespace rfc7677 {
inline constexpr std::string_view salt = "W22ZaJ0SNY7soEsUEjb6gQ==";
inline constexpr std::string_view client_nonce = "rOprNGfwEbeRWgbNEkqO";
inline constexpr std::string_view server_nonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
inline constexpr std::string_view client_first = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
inline constexpr std::string_view server_first =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
inline constexpr std::string_view client_final =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
inline constexpr std::string_view server_final = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

inline scram_keys keys() {
    return derive_scram_keys("pencil", *base64_decode(salt), 4096);
}
}  // namespace rfc7677

inline scram_secret postgres_secret() {
    return *parse_scram_secret(postgres_answers::scram_secret_text);
}

// An exchange for the user of the recorded login, with its secret and server nonce.
inline scram_exchange postgres_exchange(channel_binding binding = {}) {
    return {std::string(postgres_answers::scram_user),
            {postgres_secret(), false},
            std::move(binding),
            std::string(postgres_answers::server_nonce)};
}

}  // namespace pgroute::proxy::auth::testing
