// Why a haproxy.cfg cannot be migrated at all, and where: the CLI prints it as FILE:LINE: message.
#pragma once

#include <cstddef>
#include <string>

namespace pgroute::proxy::migrate {

struct migrate_error {
    std::size_t line = 0;  // 0: the file as a whole
    std::string message;
};

}  // namespace pgroute::proxy::migrate
