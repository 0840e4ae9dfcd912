// ReadyForQuery, the backend message whose content the session reads to follow a session's
// transaction state (BackendKeyData is in cancel_key.h, NegotiateProtocolVersion in
// protocol_version.h, the SASL mechanism list in sasl_mechanisms.h).
#pragma once

#include <optional>
#include <string_view>

namespace pgroute::protocol {

// Transaction status carried by ReadyForQuery.
enum class transaction_status : char { idle = 'I', in_transaction = 'T', failed = 'E' };

[[nodiscard]] std::optional<transaction_status> parse_ready_for_query(std::string_view body);

}  // namespace pgroute::protocol
