#include "proxy/statement/statement_effect.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "proxy/statement/parse_tree.h"
#include "proxy/statement/statement_gate.h"
#include "proxy/statement/tree_pins.h"

namespace pgroute::proxy {

namespace {

using json = nlohmann::json;
using change_kind = setting_change::kind;

// DeclareCursorStmt.options: the cursor outlives its transaction (parsenodes.h).
constexpr int cursor_opt_hold = 0x0020;

statement_effect pinned(std::string_view why) {
    return {why, {}};
}

std::string field(const json& fields, const char* name) {
    return fields.value(name, std::string());
}

struct read_statement {
    std::string_view pin;
    std::optional<setting_change> change;
};

// A SET or RESET; the grammar has already resolved its aliases (TIME ZONE is timezone, SCHEMA
// search_path, NAMES client_encoding).
read_statement read_variable_set(const json& fields, std::string_view text) {
    if (fields.value("is_local", false)) return {};  // SET LOCAL ends with the transaction
    const std::string kind = field(fields, "kind");
    std::string name = field(fields, "name");
    if (kind == "VAR_SET_MULTI") {
        // SET TRANSACTION ends with it; SET SESSION CHARACTERISTICS sets defaults pgroute does not
        // follow.
        if (name == "TRANSACTION") return {};
        return {"SET SESSION CHARACTERISTICS", {}};
    }
    // Its value is the old node's: run again, it would take the new node's.
    if (kind == "VAR_SET_CURRENT") return {"SET ... FROM CURRENT", {}};
    if (kind == "VAR_RESET_ALL")
        return {{}, setting_change{change_kind::resets_all, {}, std::string(text)}};
    // GUC names are case-insensitive, quoted or not: SET "Work_Mem" sets work_mem.
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const change_kind what = kind == "VAR_SET_VALUE" ? change_kind::sets : change_kind::resets;
    return {{}, setting_change{what, std::move(name), std::string(text)}};
}

read_statement read_statement_of(const json& tree, std::string_view text) {
    const auto node = tree.begin();
    const std::string& type = node.key();
    const json& fields = node.value();
    if (type == "VariableSetStmt") return read_variable_set(fields, text);
    if (type == "ListenStmt") return {"LISTEN", {}};
    if (type == "PrepareStmt") return {"PREPARE", {}};
    // Which it deallocates may be a protocol-level statement pgroute keeps.
    if (type == "DeallocateStmt") return {"DEALLOCATE", {}};
    if (type == "LoadStmt") return {"LOAD", {}};
    if (type == "DeclareCursorStmt" && (fields.value("options", 0) & cursor_opt_hold) != 0) {
        return {"a WITH HOLD cursor", {}};
    }
    if (type == "DiscardStmt" && field(fields, "target") == "DISCARD_ALL") {
        return {{}, setting_change{change_kind::discards_all, {}, std::string(text)}};
    }
    return {pin_in_tree(tree), {}};
}

}  // namespace

statement_effect statement_effect_of(std::string_view sql) {
    if (!may_change_session(sql)) return {};
    const auto statements = parse_statements(sql);
    if (!statements) return pinned("a statement pgroute could not read");
    statement_effect effect;
    bool controls_transaction = false;
    for (const parsed_statement& statement : *statements) {
        if (!statement.tree.is_object() || statement.tree.size() != 1) {
            return pinned("a statement pgroute could not read");
        }
        controls_transaction = controls_transaction || statement.tree.contains("TransactionStmt");
        read_statement read = read_statement_of(statement.tree, statement.text);
        if (!read.pin.empty()) return pinned(read.pin);
        if (read.change) effect.changes.push_back(std::move(*read.change));
    }
    // One Query's statements run in one transaction unless it says otherwise; where it does,
    // whether a SET survives is that transaction's to decide.
    if (controls_transaction && !effect.changes.empty()) {
        return pinned("a SET in the same Query as BEGIN, COMMIT or ROLLBACK");
    }
    return effect;
}

}  // namespace pgroute::proxy
