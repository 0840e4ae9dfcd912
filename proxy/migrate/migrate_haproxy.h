// `pgroute migrate-haproxy`: haproxy.cfg text in, pgroute.yaml text out. Pure: the CLI reads the
// file and prints the result.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "proxy/migrate/migrate_error.h"
#include "proxy/migrate/migration.h"

namespace pgroute::proxy::migrate {

// A haproxy.cfg is a few kilobytes; anything this large is not one.
inline constexpr std::size_t max_haproxy_cfg_bytes = std::size_t{1} << 20;

[[nodiscard]] std::variant<migration, migrate_error> plan_migration(std::string_view haproxy_cfg);
[[nodiscard]] std::variant<std::string, migrate_error> migrate_haproxy(
    std::string_view haproxy_cfg);

}  // namespace pgroute::proxy::migrate
