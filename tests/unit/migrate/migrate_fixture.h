// Runs migrate-haproxy on a config's text and loads the output with pgroute's own config loader,
// as `pgroute --check` would.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <variant>

#include "proxy/config/config_loader.h"
#include "proxy/migrate/migrate_haproxy.h"

namespace pgroute::test {

struct migrated {
    proxy::migrate::migration plan;
    std::string yaml;
    proxy::config cfg;
};

// Fails the test unless the config migrates and the output loads without a problem.
inline migrated migrate_and_load(std::string_view haproxy_cfg) {
    migrated result;
    auto plan = proxy::migrate::plan_migration(haproxy_cfg);
    if (const auto* error = std::get_if<proxy::migrate::migrate_error>(&plan)) {
        ADD_FAILURE() << "line " << error->line << ": " << error->message;
        return result;
    }
    result.plan = std::get<proxy::migrate::migration>(std::move(plan));
    auto text = proxy::migrate::migrate_haproxy(haproxy_cfg);
    result.yaml = std::get<std::string>(std::move(text));
    auto loaded = proxy::parse_config(result.yaml);
    for (const auto& problem : loaded.problems) {
        ADD_FAILURE() << "pgroute.yaml: " << problem.key << ": " << problem.message << "\n"
                      << result.yaml;
    }
    result.cfg = std::move(loaded.cfg);
    return result;
}

inline proxy::migrate::migrate_error migrate_error_of(std::string_view haproxy_cfg) {
    auto result = proxy::migrate::migrate_haproxy(haproxy_cfg);
    if (auto* error = std::get_if<proxy::migrate::migrate_error>(&result)) return *error;
    ADD_FAILURE() << "migrated, expected an error:\n" << std::get<std::string>(result);
    return {};
}

// Whether some note (top-level or an endpoint's) says `text`.
inline bool has_note(const proxy::migrate::migration& plan, std::string_view text) {
    const auto says = [&](const auto& notes) {
        for (const auto& note : notes) {
            if (note.text.find(text) != std::string::npos) return true;
        }
        return false;
    };
    if (says(plan.notes)) return true;
    for (const auto& endpoint : plan.endpoints) {
        if (says(endpoint.notes)) return true;
    }
    return false;
}

}  // namespace pgroute::test
