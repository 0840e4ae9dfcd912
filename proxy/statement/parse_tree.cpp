#include "proxy/statement/parse_tree.h"

#include <pg_query.h>

#include <memory>
#include <string>

namespace pgroute::proxy {

namespace {

struct parse_result_deleter {
    void operator()(PgQueryParseResult* result) const {
        pg_query_free_parse_result(*result);
        delete result;
    }
};

// libpg_query leaves out a field whose value is 0: a first statement's location, and the length
// of the last one, which runs to the end of the text.
std::string_view statement_text(std::string_view sql, const nlohmann::json& raw) {
    const std::size_t at = std::min<std::size_t>(raw.value("stmt_location", 0), sql.size());
    const std::size_t length = raw.value("stmt_len", 0);
    return length == 0 ? sql.substr(at) : sql.substr(at, length);
}

}  // namespace

std::optional<std::vector<parsed_statement>> parse_statements(std::string_view sql) {
    const std::string text(sql);  // the parser wants it NUL-terminated
    const std::unique_ptr<PgQueryParseResult, parse_result_deleter> result(
        new PgQueryParseResult(pg_query_parse(text.c_str())));
    if (result->error != nullptr || result->parse_tree == nullptr) return std::nullopt;
    nlohmann::json tree = nlohmann::json::parse(result->parse_tree, nullptr, false);
    if (tree.is_discarded()) return std::nullopt;
    std::vector<parsed_statement> statements;
    for (nlohmann::json& raw : tree["stmts"]) {
        statements.push_back({std::move(raw["stmt"]), statement_text(sql, raw)});
    }
    return statements;
}

}  // namespace pgroute::proxy
