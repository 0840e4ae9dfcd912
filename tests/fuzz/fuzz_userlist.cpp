// libFuzzer target: userlist.txt on arbitrary bytes. Accepted entries must be within PgBouncer's
// limits, in line order, and write back (quotes doubled) to a file that reads the same; an error
// must name a line of the text.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "proxy/auth/userlist.h"
#include "tests/fuzz/invariant.h"

namespace {

using namespace pgroute::proxy::auth;
using pgroute::fuzz::require;

std::string quoted(std::string_view field) {
    std::string out = "\"";
    for (const char c : field) {
        out.push_back(c);
        if (c == '"') out.push_back('"');
    }
    return out + "\"";
}

void check_entries(const std::vector<userlist_entry>& entries, std::size_t lines) {
    std::size_t previous_line = 0;
    std::string rewritten;
    for (const auto& entry : entries) {
        require(entry.line > previous_line && entry.line <= lines, "one entry a line, in order");
        previous_line = entry.line;
        require(!entry.user.empty() && entry.user.size() <= userlist_max_user_length &&
                    entry.password.size() <= userlist_max_password_length,
                "fields are within PgBouncer's limits");
        require(entry.user.find('\n') == std::string::npos &&
                    entry.password.find('\n') == std::string::npos,
                "a field never spans lines");
        rewritten += quoted(entry.user) + " " + quoted(entry.password) + "\n";
    }
    const auto again = parse_userlist(rewritten);
    require(again && again->size() == entries.size(), "entries written back read back");
    for (std::size_t i = 0; i < entries.size(); ++i)
        require((*again)[i].user == entries[i].user && (*again)[i].password == entries[i].password,
                "entries written back read the same");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t lines = std::count(input.begin(), input.end(), '\n') + 1;
    const auto entries = parse_userlist(input);
    if (entries) {
        check_entries(*entries, lines);
    } else {
        require(entries.error().line >= 1 && entries.error().line <= lines,
                "an error names a line of the text");
        require(!entries.error().message.empty(), "an error says what is wrong");
    }
    return 0;
}
