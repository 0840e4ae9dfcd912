#include "proxy/statement/tree_pins.h"

#include <array>

#include "proxy/statement/statement_gate.h"

namespace pgroute::proxy {

namespace {

using json = nlohmann::json;

constexpr std::string_view temporary = "temporary objects";

// The advisory lock functions whose lock outlives the transaction (the _xact_ ones do not).
constexpr std::array<std::string_view, 4> session_lock_functions{
    "pg_advisory_lock", "pg_advisory_lock_shared", "pg_try_advisory_lock",
    "pg_try_advisory_lock_shared"};

// The last name of a FuncCall's qualified name ("pg_catalog"."set_config" is set_config).
std::string_view function_name(const json& call) {
    const auto names = call.find("funcname");
    if (names == call.end() || !names->is_array() || names->empty()) return {};
    const json& last = names->back();
    const auto string = last.find("String");
    if (string == last.end()) return {};
    const auto sval = string->find("sval");
    return sval != string->end() && sval->is_string()
               ? std::string_view(sval->get_ref<const std::string&>())
               : std::string_view();
}

// set_config(name, value, is_local) lasts the session unless is_local is a literal true.
bool sets_for_session(const json& call) {
    const auto args = call.find("args");
    if (args == call.end() || !args->is_array() || args->size() != 3) return true;
    const json& is_local = (*args)[2];
    const auto constant = is_local.find("A_Const");
    if (constant == is_local.end()) return true;
    const auto boolval = constant->find("boolval");
    return boolval == constant->end() || !boolval->value("boolval", false);
}

std::string_view pin_of_call(const json& call) {
    const std::string_view name = function_name(call);
    if (name == "set_config") return sets_for_session(call) ? "set_config()" : std::string_view();
    for (const std::string_view lock : session_lock_functions) {
        if (name == lock) return "a session advisory lock";
    }
    return {};
}

std::string_view pin_of_do_block(const json& block) {
    for (const json& option : block.value("args", json::array())) {
        const json& arg = option.value("DefElem", json::object()).value("arg", json::object());
        const std::string body = arg.value("String", json::object()).value("sval", std::string());
        if (names_session_state(body)) return "a DO block that may keep session state";
    }
    return {};
}

bool is_temporary_range(const json& range) {
    return range.value("relpersistence", std::string()) == "t" ||
           range.value("schemaname", std::string()) == "pg_temp";
}

}  // namespace

std::string_view pin_in_tree(const json& tree) {
    if (tree.is_array()) {
        for (const json& element : tree) {
            const std::string_view pin = pin_in_tree(element);
            if (!pin.empty()) return pin;
        }
        return {};
    }
    if (!tree.is_object()) return {};
    // A relation's fields (a RangeVar's, wherever the tree holds one).
    if (is_temporary_range(tree)) return temporary;
    for (const auto& [key, value] : tree.items()) {
        std::string_view pin;
        if (key == "FuncCall") {
            pin = pin_of_call(value);
        } else if (key == "DoStmt") {
            pin = pin_of_do_block(value);
        } else if (key == "sval" && value.is_string() &&
                   value.get_ref<const std::string&>() == "pg_temp") {
            pin = temporary;  // pg_temp.name of a function, type or operator
        }
        if (pin.empty()) pin = pin_in_tree(value);
        if (!pin.empty()) return pin;
    }
    return {};
}

}  // namespace pgroute::proxy
