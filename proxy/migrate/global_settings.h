// haproxy.cfg's global section into the process-wide part of pgroute.yaml (threads, the
// connection limit); the rest becomes notes.
#pragma once

#include <optional>

#include "proxy/migrate/haproxy_config.h"
#include "proxy/migrate/haproxy_values.h"
#include "proxy/migrate/migrate_error.h"
#include "proxy/migrate/migration.h"

namespace pgroute::proxy::migrate {

[[nodiscard]] std::optional<migrate_error> read_global(const haproxy_section& section,
                                                       migration& out);

}  // namespace pgroute::proxy::migrate
