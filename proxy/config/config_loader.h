// Turns pgroute.yaml into a config, collecting every problem (with its key) instead of stopping
// at the first, so `pgroute --check` can list them all.
#pragma once

#include <string>
#include <vector>

#include "proxy/config/config.h"
#include "proxy/config/yaml_reader.h"

namespace pgroute::proxy {

struct config_result {
    config cfg;
    std::vector<config_problem> problems;

    [[nodiscard]] bool ok() const { return problems.empty(); }
};

[[nodiscard]] config_result parse_config(const std::string& yaml_text);
[[nodiscard]] config_result load_config_file(const std::string& path);

// Parses "host:port" (IPv6 as "[::1]:port").
[[nodiscard]] std::optional<listen_address> parse_listen_address(std::string_view text);

}  // namespace pgroute::proxy
