// `pgroute status`: asks a running pgroute's admin listener for /topology and prints it as a
// table, like `patronictl list`.
#pragma once

#include "proxy/app/cli.h"

namespace pgroute::proxy {

// Prints the table on stdout; returns the exit code (1 with the reason on stderr).
[[nodiscard]] int print_status(const cli_options& options);

}  // namespace pgroute::proxy
