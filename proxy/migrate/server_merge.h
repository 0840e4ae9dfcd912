// pgroute has one node list and one Patroni poll for every endpoint, where HAProxy has servers
// and check timing per backend: these merge them, the first value winning and each other one
// left as a note.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "proxy/migrate/migration.h"
#include "proxy/migrate/proxy_settings.h"

namespace pgroute::proxy::migrate {

template <typename T>
void merge_setting(const std::optional<carried<T>>& from, std::optional<carried<T>>& into,
                   std::string_view key, std::vector<migration_note>& notes) {
    if (!from) return;
    if (!into) {
        into = from;
    } else if (into->value != from->value) {
        notes.push_back({from->line, "'" + from->origin + "' is not carried: pgroute has one " +
                                         std::string(key) + ", from line " +
                                         std::to_string(into->line) + " ('" + into->origin + "')"});
    }
}

// The servers' inter, fastinter, rise and fall into patroni.interval, fast_interval, rise, fall.
void merge_timing(const std::vector<server_spec>& servers, migration& out);

// The servers as nodes, with their Patroni REST API; one node per name and per address.
void add_nodes(const std::vector<server_spec>& servers, migration& out,
               std::vector<migration_note>& notes);

}  // namespace pgroute::proxy::migrate
