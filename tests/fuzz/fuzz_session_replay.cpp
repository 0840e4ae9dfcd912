// libFuzzer target: what proxy mode learns from a session's traffic to replay it on another node
// (session_replay, and statement_effect's reading of SQL text under it), fed arbitrary messages
// both ways. The replay it would send must be whole frames of Query, Parse and Sync only, one
// ReadyForQuery expected per Query or Sync; a pinned session keeps nothing; a SET or RESET names
// its setting.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/byte_reader.h"
#include "proxy/session/session_replay.h"
#include "proxy/statement/statement_effect.h"
#include "proxy/statement/statement_words.h"
#include "tests/fuzz/invariant.h"

namespace {

using namespace pgroute::proxy;
using pgroute::fuzz::require;

void check_rebuild(const session_replay& replay) {
    const std::string messages = replay.rebuild_messages();
    if (replay.pinned_by()) require(messages.empty(), "a pinned session keeps nothing to replay");
    pgroute::protocol::byte_reader in(messages);
    std::size_t cycles = 0;
    std::size_t parses = 0;
    while (in.remaining() > 0) {
        const char type = static_cast<char>(in.u8());
        const std::uint32_t length = in.u32();
        require(!in.failed() && length >= 4 && length - 4 <= in.remaining(),
                "the replay is whole frames");
        require(type == 'Q' || type == 'P' || type == 'S', "the replay is Query, Parse, Sync");
        cycles += type == 'Q' || type == 'S';
        parses += type == 'P';
        (void)in.bytes(length - 4);
    }
    require(cycles == replay.rebuild_cycles(), "one ReadyForQuery answers each Query and Sync");
    require(parses == replay.prepared_statements(), "one Parse for each prepared statement");
}

void check_effect(std::string_view sql) {
    const statement_effect effect = statement_effect_of(sql);
    require(effect.pin.empty() || effect.changes.empty(), "a pinned text changes nothing kept");
    for (const setting_change& change : effect.changes) {
        const bool named = change.what == setting_change::kind::sets ||
                           change.what == setting_change::kind::resets;
        require(!named || !change.setting.empty(), "a SET or RESET names its setting");
        require(!change.text.empty() && sql.find(change.text) != std::string_view::npos,
                "a change's text is its statement's, within the text");
    }
    if (const auto statements = statements_of(sql, 3)) {
        for (const leading_words& words : *statements)
            require(words.size() <= 3, "at most the words asked for");
    }
}

}  // namespace

// Input: messages, each one byte of direction and type (bit 7: from the node; the rest picks
// the type), one byte of body length, the body; the replay keeps at most 512 bytes, so that its
// limit is reached too.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static constexpr std::string_view client_types = "QPCSFBEDHX";
    static constexpr std::string_view server_types = "13EZCTDnsI";
    pgroute::protocol::byte_reader input(
        std::string_view(reinterpret_cast<const char*>(data), size));
    session_replay replay(512);
    while (input.remaining() >= 2) {
        const std::uint8_t selector = input.u8();
        const std::size_t length = input.u8();
        const std::string_view body = input.bytes(std::min(length, input.remaining()));
        const bool from_node = (selector & 0x80) != 0;
        const std::string_view types = from_node ? server_types : client_types;
        const char type = types[(selector & 0x7f) % types.size()];
        if (from_node) {
            replay.from_server(type, body);
        } else {
            replay.from_client(type, body, (selector & 0x40) == 0);
            check_effect(body);
        }
        check_rebuild(replay);
    }
    return 0;
}
