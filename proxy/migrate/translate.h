// haproxy.cfg's sections into pgroute's terms: each listen or frontend that listens and checks a
// Patroni role becomes an endpoint, the servers behind them the nodes, their check timing the
// Patroni poll; everything else becomes a note.
#pragma once

#include <variant>

#include "proxy/migrate/haproxy_config.h"
#include "proxy/migrate/migrate_error.h"
#include "proxy/migrate/migration.h"

namespace pgroute::proxy::migrate {

// An error when no section carries over to an endpoint, or a directive's value cannot be read.
[[nodiscard]] std::variant<migration, migrate_error> translate(const haproxy_config& config);

}  // namespace pgroute::proxy::migrate
