// The few backend messages the proxy reads rather than just forwards: Authentication,
// BackendKeyData, ParameterStatus and ReadyForQuery. Views point into the given body.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace pgroute::protocol {

// Authentication request codes (the int32 that opens every 'R' message).
enum class auth_code : std::uint32_t {
    ok = 0,
    kerberos_v5 = 2,
    cleartext_password = 3,
    md5_password = 5,
    gss = 7,
    gss_continue = 8,
    sspi = 9,
    sasl = 10,
    sasl_continue = 11,
    sasl_final = 12,
};

struct authentication {
    auth_code code = auth_code::ok;
    std::string_view data;  // salt, SASL mechanism list or SASL data
};

struct backend_key_data {
    std::uint32_t process_id = 0;
    std::string_view secret_key;
};

struct parameter_status {
    std::string_view name;
    std::string_view value;
};

// Transaction status carried by ReadyForQuery.
enum class transaction_status : char { idle = 'I', in_transaction = 'T', failed = 'E' };

[[nodiscard]] std::optional<authentication> parse_authentication(std::string_view body);
[[nodiscard]] std::optional<backend_key_data> parse_backend_key_data(std::string_view body);
[[nodiscard]] std::optional<parameter_status> parse_parameter_status(std::string_view body);
[[nodiscard]] std::optional<transaction_status> parse_ready_for_query(std::string_view body);

}  // namespace pgroute::protocol
