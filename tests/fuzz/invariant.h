// How a fuzz target reports a broken invariant: say which one on stderr and abort, so libFuzzer
// keeps the input that triggered it as a crash artifact.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace pgroute::fuzz {

inline void require(bool holds, std::string_view invariant) {
    if (holds) return;
    std::fprintf(stderr, "invariant violated: %.*s\n", static_cast<int>(invariant.size()),
                 invariant.data());
    std::abort();
}

}  // namespace pgroute::fuzz
