#include "protocol/backend_message.h"

namespace pgroute::protocol {

std::optional<transaction_status> parse_ready_for_query(std::string_view body) {
    if (body.size() != 1) return std::nullopt;
    switch (body[0]) {
        case 'I':
            return transaction_status::idle;
        case 'T':
            return transaction_status::in_transaction;
        case 'E':
            return transaction_status::failed;
        default:
            return std::nullopt;
    }
}

}  // namespace pgroute::protocol
