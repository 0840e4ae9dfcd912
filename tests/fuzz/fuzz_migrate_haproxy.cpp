// libFuzzer target: migrate-haproxy on arbitrary haproxy.cfg text. Nothing may crash or throw,
// an error says what and (for a line it cannot read) where, and whatever it writes must be a
// pgroute.yaml that pgroute's own loader accepts: the promise `pgroute --check` makes users.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <variant>

#include "proxy/config/config_loader.h"
#include "proxy/migrate/migrate_haproxy.h"
#include "tests/fuzz/invariant.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pgroute::proxy;
    using pgroute::fuzz::require;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto result = migrate::migrate_haproxy(text);
    if (const auto* error = std::get_if<migrate::migrate_error>(&result)) {
        require(!error->message.empty(), "every error says what is wrong");
        std::size_t lines = 1;
        for (const char c : text)
            lines += c == '\n';
        require(error->line <= lines, "an error's line is a line of the input");
        return 0;
    }
    const std::string& yaml = std::get<std::string>(result);
    const config_result loaded = parse_config(yaml);
    for (const config_problem& problem : loaded.problems) {
        std::fprintf(stderr, "%s: %s\n%s\n", problem.key.c_str(), problem.message.c_str(),
                     yaml.c_str());
    }
    require(loaded.ok(), "what migrate-haproxy writes loads with pgroute's config loader");
    require(!loaded.cfg.endpoints.empty() && loaded.cfg.patroni.has_value(),
            "a migrated config has endpoints and polls Patroni");
    return 0;
}
