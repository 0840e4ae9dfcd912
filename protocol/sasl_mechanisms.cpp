#include "protocol/sasl_mechanisms.h"

#include <algorithm>
#include <cstdint>

#include "protocol/byte_reader.h"

namespace pgroute::protocol {

namespace {

constexpr std::uint32_t authentication_sasl = 10;

}  // namespace

bool hide_channel_binding(std::span<char> authentication_body) {
    static_assert(scram_plus_mechanism.size() == hidden_mechanism.size());
    if (authentication_body.size() < 4 ||
        load_u32(authentication_body.data()) != authentication_sasl) {
        return false;
    }
    std::size_t at = 4;
    while (at < authentication_body.size()) {
        const std::string_view rest(authentication_body.data() + at,
                                    authentication_body.size() - at);
        const auto end = rest.find('\0');
        if (end == std::string_view::npos || end == 0) return false;  // unterminated, or the end
        if (rest.substr(0, end) == scram_plus_mechanism) {
            std::copy(hidden_mechanism.begin(), hidden_mechanism.end(),
                      authentication_body.begin() + static_cast<std::ptrdiff_t>(at));
            return true;
        }
        at += end + 1;
    }
    return false;
}

}  // namespace pgroute::protocol
