// PostgreSQL's own parser (libpg_query, PostgreSQL 15's grammar) on a statement text: its raw
// parse trees, one per statement, as the JSON libpg_query renders them ({"SelectStmt": {...}}).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

namespace pgroute::proxy {

struct parsed_statement {
    nlohmann::json tree;    // {"NodeType": {fields}}
    std::string_view text;  // the statement's own text within the parsed one
};

// Every statement of `sql`; nullopt when PostgreSQL's grammar refuses it (the node would too,
// unless it is of a later version than the parser).
[[nodiscard]] std::optional<std::vector<parsed_statement>> parse_statements(std::string_view sql);

}  // namespace pgroute::proxy
