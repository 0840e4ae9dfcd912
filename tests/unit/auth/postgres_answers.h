// Known answers recorded from the real thing, so that the tests compare with PostgreSQL and libpq
// rather than with pgroute's own reading of the RFCs. Recorded once, on the Debian 12 machine the
// suite runs on, from a throwaway cluster (PostgreSQL 15.18, initdb under /tmp):
//
//   SET password_encryption = 'scram-sha-256'; CREATE ROLE pgroute_scram LOGIN PASSWORD 'pencil';
//   SET password_encryption = 'md5';           CREATE ROLE pgroute_md5 LOGIN PASSWORD 'pencil';
//   SELECT rolname, rolpassword FROM pg_authid WHERE rolname LIKE 'pgroute_%';
//
// and the messages psql (libpq 15, channel_binding=disable, sslmode=disable) and the server
// exchanged as each role logged in with that password (pg_hba: scram-sha-256, md5), read off a
// relay between the two.
#pragma once

#include <string_view>

#include "tests/unit/auth/scram_recording.h"

namespace pgroute::proxy::auth::postgres_answers {

inline constexpr std::string_view password = "pencil";

inline constexpr std::string_view scram_user = "pgroute_scram";
inline constexpr std::string_view scram_secret_text =
    "SCRAM-SHA-256$4096:ms+mRC5VKY+uFG1NhDVJIw==$kGoCmOLspKXq+UnVrjohwLwbZru92AiWtr6VwNu0Sso=:"
    "5h01zeAXjxIpkSrv6v09LxM85qzsat6MHMYY7I1en78=";
inline constexpr testing::scram_recording libpq_login{
    .salt = "ms+mRC5VKY+uFG1NhDVJIw==",
    .client_nonce = "rxUXnGahIt8x8VtHgXus2RN/",
    .server_nonce = "BioCueg1tEMX6CeDEA25XcG3",
    .client_first = "n,,n=,r=rxUXnGahIt8x8VtHgXus2RN/",
    .server_first =
        "r=rxUXnGahIt8x8VtHgXus2RN/BioCueg1tEMX6CeDEA25XcG3,s=ms+mRC5VKY+uFG1NhDVJIw==,i=4096",
    .client_final =
        "c=biws,r=rxUXnGahIt8x8VtHgXus2RN/BioCueg1tEMX6CeDEA25XcG3,"
        "p=CPbnH3ii0sNbR/bRM8FVPv1W4qJj6VdtF9iK1R0V9L0=",
    .server_final = "v=UKVXcRj6VxlM9Ru9XGnhekEL6WJ3agYV8fmX+agewkA=",
};

inline constexpr std::string_view md5_user = "pgroute_md5";
inline constexpr std::string_view md5_secret_text = "md56817c42cbd87dd69dbcfd3c6795dff7c";
inline constexpr unsigned char md5_salt[4] = {0x2f, 0xb6, 0xa0, 0xed};
inline constexpr std::string_view libpq_md5_response = "md5f4eb2d5040d511ec399cb1e95c2dde6a";

}  // namespace pgroute::proxy::auth::postgres_answers
