// How a fuzz target reports a broken invariant: say which one on stderr and abort, so libFuzzer
// keeps the input that triggered it as a crash artifact. Also the checks the parsers' views share.
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

// Whether a view a parser returned points into the bytes it was given (empty views point nowhere).
inline bool lies_within(std::string_view view, std::string_view input) {
    if (view.empty()) return true;
    return view.data() >= input.data() && view.data() + view.size() <= input.data() + input.size();
}

}  // namespace pgroute::fuzz
