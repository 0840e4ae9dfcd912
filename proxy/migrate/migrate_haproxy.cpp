#include "proxy/migrate/migrate_haproxy.h"

#include "proxy/migrate/haproxy_parser.h"
#include "proxy/migrate/translate.h"
#include "proxy/migrate/yaml_writer.h"

namespace pgroute::proxy::migrate {

std::variant<migration, migrate_error> plan_migration(std::string_view haproxy_cfg) {
    if (haproxy_cfg.size() > max_haproxy_cfg_bytes) {
        return migrate_error{0, "larger than 1 MiB: not a haproxy.cfg"};
    }
    auto parsed = parse_haproxy(haproxy_cfg);
    if (auto* error = std::get_if<migrate_error>(&parsed)) return *error;
    return translate(std::get<haproxy_config>(parsed));
}

std::variant<std::string, migrate_error> migrate_haproxy(std::string_view haproxy_cfg) {
    auto plan = plan_migration(haproxy_cfg);
    if (auto* error = std::get_if<migrate_error>(&plan)) return *error;
    return write_pgroute_yaml(std::get<migration>(plan));
}

}  // namespace pgroute::proxy::migrate
