#include "proxy/app/migrate_command.h"

#include <fstream>
#include <ostream>
#include <variant>

#include "proxy/migrate/migrate_haproxy.h"

namespace pgroute::proxy {

int print_migration(const std::string& path, std::ostream& out, std::ostream& err) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        err << path << ": cannot read the file\n";
        return 1;
    }
    // One byte past the limit is enough to know the file is too large, without reading it all.
    std::string text(migrate::max_haproxy_cfg_bytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) {
        err << path << ": cannot read the file\n";
        return 1;
    }
    text.resize(static_cast<std::size_t>(in.gcount()));
    const auto result = migrate::migrate_haproxy(text);
    if (const auto* error = std::get_if<migrate::migrate_error>(&result)) {
        err << path;
        if (error->line != 0) err << ":" << error->line;
        err << ": " << error->message << "\n";
        return 1;
    }
    out << std::get<std::string>(result);
    return 0;
}

}  // namespace pgroute::proxy
