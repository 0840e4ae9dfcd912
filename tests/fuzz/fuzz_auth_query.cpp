// libFuzzer target: a node's answer to auth_query on arbitrary bytes, cut into messages (one byte
// of type, one of body length, the body). Whatever comes, the reader ends only at ReadyForQuery,
// and never both fails and returns a row.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proxy/auth/auth_query_messages.h"
#include "tests/fuzz/invariant.h"

using pgroute::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    pgroute::proxy::auth::auth_query_reader reader;
    std::size_t at = 0;
    while (at + 2 <= input.size()) {
        const char type = input[at];
        const std::size_t length = static_cast<unsigned char>(input[at + 1]);
        const std::string_view body = input.substr(at + 2, length);
        at += 2 + body.size();
        const bool done = reader.read(type, body);
        require(done == (type == 'Z'), "only ReadyForQuery ends the answer");
        require(reader.failed().empty() || !reader.row(), "a failed answer has no row");
        if (done) break;
    }
    return 0;
}
