// `pgroute status` output: the /topology document as a table, the way `patronictl list` prints
// a cluster. Pure: JSON text in, table text out.
#pragma once

#include <string>
#include <string_view>
#include <variant>

namespace pgroute::proxy {

struct status_table_error {
    std::string message;
};

[[nodiscard]] std::variant<std::string, status_table_error> format_status_table(
    std::string_view topology_json);

}  // namespace pgroute::proxy
