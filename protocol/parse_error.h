// What a parser reports when input is malformed: the SQLSTATE the client should get and a
// message in PostgreSQL's own wording.
#pragma once

#include <string>
#include <string_view>

namespace pgroute::protocol {

struct parse_error {
    std::string_view sqlstate;
    std::string message;
};

}  // namespace pgroute::protocol
