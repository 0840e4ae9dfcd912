// `pgroute drain NODE` and `pgroute undrain NODE`: asks a running pgroute's admin listener
// (POST /drain/NODE, /undrain/NODE) to take a node out of routing before maintenance, or to put
// it back.
#pragma once

#include "proxy/app/cli.h"

namespace pgroute::proxy {

// Prints the listener's answer on stdout; returns the exit code (1 with the reason on stderr).
[[nodiscard]] int run_drain_command(const cli_options& options);

}  // namespace pgroute::proxy
