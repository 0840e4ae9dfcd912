// Invariants every pgroute_auth fuzz target checks of the errors it gets back.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <string_view>

#include "proxy/auth/auth_error.h"
#include "tests/fuzz/invariant.h"

namespace pgroute::fuzz {

// Printable ASCII only: an unauthenticated peer's bytes reach messages only sanitized.
inline bool is_printable_text(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

inline void check_auth_error(const proxy::auth::auth_error& error,
                             std::initializer_list<std::string_view> sqlstates) {
    require(std::find(sqlstates.begin(), sqlstates.end(), error.sqlstate) != sqlstates.end(),
            "an error carries one of the SQLSTATEs of its step");
    require(!error.message.empty(), "an error carries a message");
    require(is_printable_text(error.message) && is_printable_text(error.detail),
            "messages are printable ASCII");
}

}  // namespace pgroute::fuzz
