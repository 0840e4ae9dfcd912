#include "proxy/session/statement_retry.h"

#include <array>

#include "protocol/error_response.h"
#include "protocol/message_builder.h"
#include "protocol/message_type.h"
#include "protocol/sqlstate.h"
#include "proxy/statement/statement_effect.h"
#include "proxy/statement/statement_words.h"

namespace pgroute::proxy {

namespace {

// Statements that run in one transaction of their own and end with it.
constexpr std::array<std::string_view, 8> one_transaction_leaders{
    "select", "insert", "update", "delete", "merge", "with", "values", "table"};

}  // namespace

bool may_run_again(std::string_view sql) {
    const auto statements = statements_of(sql, 1);
    if (!statements || statements->size() != 1 || statements->front().empty()) return false;
    const std::string& leader = statements->front().front();
    bool one_transaction = false;
    for (const std::string_view candidate : one_transaction_leaders) {
        one_transaction = one_transaction || leader == candidate;
    }
    // A SELECT may still take a session advisory lock or make a temporary table (SELECT INTO):
    // what pins the session would stay on the old node.
    return one_transaction && statement_effect_of(sql).leaves_nothing();
}

void statement_retry::from_client(char type, std::string_view body, bool whole, bool session_idle) {
    statement_.clear();
    if (type != protocol::PqMsg_Query || !whole || !session_idle || body.size() > max_statement ||
        body.empty() || body.back() != '\0') {
        return;
    }
    if (may_run_again(body.substr(0, body.size() - 1))) statement_.assign(body);
}

bool statement_retry::ends_kept_statement(std::string_view error_body) const {
    if (statement_.empty()) return false;
    const auto error = protocol::parse_error_response(error_body);
    return error && error->severity == protocol::severity::fatal &&
           error->sqlstate == protocol::sqlstate::admin_shutdown;
}

std::string statement_retry::take() {
    std::string query = protocol::message_builder(protocol::PqMsg_Query).bytes(statement_).finish();
    statement_.clear();
    return query;
}

}  // namespace pgroute::proxy
