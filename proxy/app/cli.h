// The command line: what to do and with which config file.
#pragma once

#include <optional>
#include <string>
#include <variant>

namespace pgroute::proxy {

enum class command { run, check, status, drain, undrain, migrate_haproxy, help, version };

struct cli_options {
    command cmd = command::run;
    std::string config_path = "/etc/pgroute/pgroute.yaml";
    std::string admin_url;         // `status`, `drain`, `undrain --url`; empty: admin.listen
    std::string node;              // `drain NODE`, `undrain NODE`
    std::string haproxy_cfg_path;  // `migrate-haproxy FILE`
};

struct cli_error {
    std::string message;
};

[[nodiscard]] std::variant<cli_options, cli_error> parse_cli(int argc, const char* const* argv);
[[nodiscard]] std::string usage_text();

}  // namespace pgroute::proxy
