// `pgroute migrate-haproxy FILE`: reads the file and prints the pgroute.yaml it becomes.
#pragma once

#include <iosfwd>
#include <string>

namespace pgroute::proxy {

// 0 with the YAML on `out`; 1 with one line, FILE:LINE: message, on `err`.
[[nodiscard]] int print_migration(const std::string& path, std::ostream& out, std::ostream& err);

}  // namespace pgroute::proxy
