// Where the subcommands that talk to a running pgroute (status, drain, undrain) find its admin
// listener: --url, or the admin.listen of the config file.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "health/patroni/http_url.h"
#include "proxy/app/cli.h"
#include "proxy/config/config.h"

namespace pgroute::proxy {

// The admin listener's URL from a config: its admin.listen (default 127.0.0.1:5553), with a
// wildcard address replaced by the loopback one.
[[nodiscard]] std::string admin_url(const config& cfg);

struct admin_address {
    std::string text;  // as given or made, for messages
    health::http_url url;
};

struct admin_address_error {
    std::string message;  // for stderr, after the subcommand's name
};

// options.admin_url if given, else the admin listener of options.config_path.
[[nodiscard]] std::variant<admin_address, admin_address_error> find_admin_listener(
    const cli_options& options);

}  // namespace pgroute::proxy
