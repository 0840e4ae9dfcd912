// `pgroute status`: asks a running pgroute's admin listener for /topology and prints it as a
// table, like `patronictl list`.
#pragma once

#include <string>

#include "proxy/app/cli.h"
#include "proxy/config/config.h"

namespace pgroute::proxy {

// The admin listener's URL from a config: its admin.listen (default 127.0.0.1:5553), with a
// wildcard address replaced by the loopback one.
[[nodiscard]] std::string admin_url(const config& cfg);

// Prints the table on stdout; returns the exit code (1 with the reason on stderr).
[[nodiscard]] int print_status(const cli_options& options);

}  // namespace pgroute::proxy
