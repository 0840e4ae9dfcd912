// What in a statement's parse tree, at any depth, pins its session: a temporary object created or
// named (TEMP, pg_temp), a session advisory lock taken, set_config() with is_local not a literal
// true, a DO block whose body names session state. Top-level statement kinds are read by
// statement_effect.cpp; this walks the expressions inside them.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace pgroute::proxy {

// Why `tree` pins its session, or empty.
[[nodiscard]] std::string_view pin_in_tree(const nlohmann::json& tree);

}  // namespace pgroute::proxy
