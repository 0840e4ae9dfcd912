// The global section: the process-wide settings pgroute shares with HAProxy.
#include "proxy/migrate/global_settings.h"

namespace pgroute::proxy::migrate {

std::optional<migrate_error> read_global(const haproxy_section& section, migration& out) {
    for (const haproxy_directive& directive : section.directives) {
        const auto& words = directive.words;
        const std::string& keyword = words[0];
        const std::string value = words.size() > 1 ? words[1] : std::string();
        const auto note = [&](std::string_view why) {
            out.notes.push_back(
                {directive.line, "'" + directive.text() + "' is not carried: " + std::string(why)});
        };
        if (keyword == "maxconn") {
            const auto count = parse_count(value, 0, 0x7fffffff);
            if (!count) return migrate_error{directive.line, "'maxconn' needs a number"};
            if (*count >= 1 && *count <= 1'000'000) {
                out.max_client_connections =
                    carried<unsigned>{*count, directive.line, directive.text()};
            } else {
                note("limits.max_client_connections is 1 to 1000000");
            }
        } else if (keyword == "nbthread") {
            const auto count = parse_count(value, 1, 256);
            if (count) {
                out.threads = carried<unsigned>{*count, directive.line, directive.text()};
            } else {
                note("threads is 1 to 256");
            }
        } else if (keyword == "log") {
            note("pgroute logs one line per event (a cut, a topology change) to stderr");
        } else if (keyword == "daemon" || keyword == "user" || keyword == "group" ||
                   keyword == "uid" || keyword == "gid" || keyword == "chroot" ||
                   keyword == "pidfile") {
            note(
                "pgroute runs in the foreground as the user that starts it (systemd, a container)");
        } else if (keyword == "stats") {
            note(
                "the admin listener (admin.listen) serves /topology, /metrics and the status page");
        } else if (keyword.starts_with("ssl-") || keyword.starts_with("tune.ssl")) {
            note("pgroute's TLS is TLS 1.2+ with OpenSSL's defaults (tls, server_tls)");
        } else {
            note("pgroute has no equivalent");
        }
    }
    return std::nullopt;
}

}  // namespace pgroute::proxy::migrate
