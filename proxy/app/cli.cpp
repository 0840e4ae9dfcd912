#include "proxy/app/cli.h"

#include <string_view>

namespace pgroute::proxy {

std::string usage_text() {
    return R"(pgroute - a protocol-aware PostgreSQL proxy for Patroni clusters

Usage:
  pgroute [-c FILE]            run the proxy
  pgroute --check [-c FILE]    validate the config, print every problem, exit 1 if any
  pgroute status [-c FILE | --url URL]
                               print the running proxy's nodes as a table (from /topology)
  pgroute drain NODE [-c FILE | --url URL]
                               before maintenance: no new session goes to NODE, and its
                               sessions move (auth.mode proxy) or end at their next idle point
  pgroute undrain NODE [-c FILE | --url URL]
                               put a drained NODE back into routing
  pgroute migrate-haproxy FILE
                               print the pgroute.yaml equivalent to haproxy.cfg FILE, with a
                               comment for each directive it does not carry over; exit 1 if a
                               line cannot be parsed or no section becomes an endpoint
  pgroute --help | --version

Options:
  -c, --config FILE   configuration file (default /etc/pgroute/pgroute.yaml)
      --check         check the configuration and exit
      --url URL       status, drain, undrain: the admin listener, e.g.
                      http://127.0.0.1:5553 (default: admin.listen of the config file)
  -h, --help          show this help
  -V, --version       show the version and the git revision it was built from

Signals: SIGINT or SIGTERM close every session with an ErrorResponse (57P01) and exit;
SIGHUP reloads the config file for new sessions (open ones keep theirs; a config with
problems is refused in the log and the running one serves; one that moves a listener or
changes threads is applied by a new process, as at SIGUSR2), as POST /reload does;
SIGUSR2 upgrades: the binary started again takes over the listening sockets, and this
process lets its sessions end (limits.drain_timeout) before it exits.
See pgroute(1).
)";
}

std::variant<cli_options, cli_error> parse_cli(int argc, const char* const* argv) {
    cli_options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "-c" || arg == "--config") {
            if (i + 1 >= argc) return cli_error{std::string(arg) + " needs a file name"};
            options.config_path = argv[++i];
        } else if (arg.starts_with("--config=")) {
            options.config_path = arg.substr(9);
        } else if (arg == "status" && i == 1) {
            options.cmd = command::status;
        } else if ((arg == "drain" || arg == "undrain") && i == 1) {
            if (i + 1 >= argc || argv[i + 1][0] == '-') {
                return cli_error{std::string(arg) + " needs the name of a node"};
            }
            options.cmd = arg == "drain" ? command::drain : command::undrain;
            options.node = argv[++i];
        } else if (arg == "migrate-haproxy" && i == 1) {
            if (i + 1 >= argc) return cli_error{"migrate-haproxy needs a haproxy.cfg file"};
            options.cmd = command::migrate_haproxy;
            options.haproxy_cfg_path = argv[++i];
        } else if (arg == "--url") {
            if (i + 1 >= argc) return cli_error{"--url needs an address"};
            options.admin_url = argv[++i];
        } else if (arg == "--check") {
            options.cmd = command::check;
        } else if (arg == "-h" || arg == "--help") {
            options.cmd = command::help;
        } else if (arg == "-V" || arg == "--version") {
            options.cmd = command::version;
        } else {
            return cli_error{"unknown argument '" + std::string(arg) + "'"};
        }
    }
    if (!options.admin_url.empty() && options.cmd != command::status &&
        options.cmd != command::drain && options.cmd != command::undrain) {
        return cli_error{"--url goes with pgroute status, drain or undrain"};
    }
    if (options.cmd == command::migrate_haproxy && argc > 3) {
        return cli_error{"migrate-haproxy takes only the haproxy.cfg file"};
    }
    return options;
}

}  // namespace pgroute::proxy
