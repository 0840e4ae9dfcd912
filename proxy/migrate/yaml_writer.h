// A migration written out as pgroute.yaml: only what the haproxy.cfg set, each value with the
// directive it came from beside it, and the notes as comments, so the file explains itself.
#pragma once

#include <string>

#include "proxy/migrate/migration.h"

namespace pgroute::proxy::migrate {

[[nodiscard]] std::string write_pgroute_yaml(const migration& plan);

}  // namespace pgroute::proxy::migrate
