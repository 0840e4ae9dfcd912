#include "proxy/session/session_replay.h"

#include <algorithm>

#include "protocol/byte_reader.h"
#include "protocol/message_builder.h"
#include "protocol/message_type.h"

namespace pgroute::proxy {

namespace {

using change_kind = setting_change::kind;

// A client that pipelines more than this many Parse and Close messages ahead of the node's
// answers is not followed (nothing real does; it would grow without bound).
constexpr std::size_t max_pending = 4096;

// RESET ALL leaves these alone (PostgreSQL's GUC_NO_RESET_ALL).
bool survives_reset_all(const std::string& setting) {
    return setting == "role" || setting == "session_authorization";
}

}  // namespace

bool session_replay::wants_client_body(char type) const {
    return !pin_ && (type == protocol::PqMsg_Query || type == protocol::PqMsg_Parse ||
                     type == protocol::PqMsg_Close);
}

bool session_replay::wants_server_body(char type) {
    return type == protocol::PqMsg_ReadyForQuery;
}

void session_replay::from_client(char type, std::string_view body, bool whole) {
    if (pin_) return;
    switch (type) {
        case protocol::PqMsg_Query:
            client_query(body, whole);
            ++cycles_sent_;
            return;
        case protocol::PqMsg_Parse:
            client_parse(body, whole);
            return;
        case protocol::PqMsg_Close:
            client_close(body, whole);
            return;
        case protocol::PqMsg_Sync:
            ++cycles_sent_;
            return;
        case protocol::PqMsg_FunctionCall:
            // By OID, unseen: it may call set_config() or anything else.
            pin("a FunctionCall message");
            return;
        default:
            return;
    }
}

void session_replay::from_server(char type, std::string_view body) {
    if (pin_) return;
    switch (type) {
        case protocol::PqMsg_ParseComplete:
            completed(item_kind::parse);
            return;
        case protocol::PqMsg_CloseComplete:
            completed(item_kind::close);
            return;
        case protocol::PqMsg_ErrorResponse:
            cycle_failed();
            return;
        case protocol::PqMsg_ReadyForQuery:
            cycle_ended(body);
            return;
        default:
            return;
    }
}

void session_replay::pin(std::string_view why) {
    pin_ = why;
    // Never moves now: what it kept is of no use.
    accepted_ = {};
    pending_ = {};
    memory_ = 0;
}

void session_replay::client_query(std::string_view body, bool whole) {
    if (!whole) return pin("a statement too long to look at");
    protocol::byte_reader in(body);
    const std::string_view sql = in.cstring();
    if (in.failed()) return;  // the node refuses it: nothing changes
    statement_effect effect = statement_effect_of(sql);
    if (!effect.pin.empty()) return pin(effect.pin);
    for (setting_change& change : effect.changes) {
        keep_pending({item_kind::setting, cycles_sent_, std::move(change.setting),
                      std::move(change.text), change.what});
        if (pin_) return;
    }
}

void session_replay::client_parse(std::string_view body, bool whole) {
    if (!whole) return pin("a statement too long to look at");
    protocol::byte_reader in(body);
    const std::string_view name = in.cstring();
    const std::string_view sql = in.cstring();
    if (in.failed()) return;
    const statement_effect effect = statement_effect_of(sql);
    if (!effect.pin.empty()) return pin(effect.pin);
    // Its effect would come at an Execute, which this does not follow.
    if (!effect.changes.empty()) return pin("a SET through the extended query protocol");
    // An unnamed one is not kept, but its ParseComplete comes in turn.
    std::string message;
    if (!name.empty())
        message = protocol::message_builder(protocol::PqMsg_Parse).bytes(body).finish();
    keep_pending({item_kind::parse, cycles_sent_, std::string(name), std::move(message), {}});
}

void session_replay::client_close(std::string_view body, bool whole) {
    protocol::byte_reader in(body);
    const std::uint8_t target = in.u8();
    const std::string_view name = in.cstring();
    if (in.failed() || !whole) return;  // the node refuses it
    // A portal's, or the unnamed statement's, closes nothing kept; its CloseComplete comes in turn.
    const bool kept = target == 'S' && !name.empty();
    keep_pending(
        {item_kind::close, cycles_sent_, kept ? std::string(name) : std::string(), {}, {}});
}

void session_replay::keep_pending(item change) {
    memory_ += change.name.size() + change.message.size();
    pending_.push_back(std::move(change));
    if (memory_ > memory_limit_) return pin("more session state than limits.max_session_state");
    if (pending_.size() > max_pending) return pin("more pipelined messages than pgroute follows");
}

void session_replay::completed(item_kind kind) {
    const auto first = std::find_if(pending_.begin(), pending_.end(),
                                    [kind](const item& i) { return i.kind == kind; });
    if (first == pending_.end()) return;  // not asked for by the client: not this session's
    item done = std::move(*first);
    pending_.erase(first);
    if (done.name.empty()) return;
    if (kind == item_kind::parse) {
        done.kind = item_kind::prepared;
        accepted_.push_back(std::move(done));
    } else {
        forget(item_kind::prepared, done.name);
        memory_ -= done.name.size();
    }
}

void session_replay::cycle_failed() {
    answered_cycle_failed_ = true;
    // The node skips the rest of the cycle: its Parse and Close messages will not run.
    drop_pending(cycles_answered_, true);
}

void session_replay::cycle_ended(std::string_view ready_for_query) {
    // The greeting's, before anything was asked.
    if (cycles_answered_ == cycles_sent_) return;
    const std::uint64_t cycle = cycles_answered_++;
    const bool failed = answered_cycle_failed_;
    answered_cycle_failed_ = false;
    const bool in_transaction_block = ready_for_query.empty() || ready_for_query.front() != 'I';
    for (auto it = pending_.begin(); it != pending_.end();) {
        if (it->cycle != cycle || it->kind != item_kind::setting) {
            ++it;
            continue;
        }
        if (failed) {
            memory_ -= it->name.size() + it->message.size();
        } else if (in_transaction_block) {
            return pin("a SET inside a transaction block");
        } else {
            accept_setting(std::move(*it));
        }
        it = pending_.erase(it);
    }
    drop_pending(cycle, false);
}

// Earlier changes of the same setting are forgotten where no prepared statement depends on them
// (one parsed after them, under their value).
void session_replay::accept_setting(item change) {
    const auto frozen = std::find_if(accepted_.rbegin(), accepted_.rend(), [](const item& i) {
                            return i.kind == item_kind::prepared;
                        }).base();
    const auto forgettable = [&](const item& i) {
        if (i.kind != item_kind::setting) return false;
        if (change.effect == change_kind::resets_all) return !survives_reset_all(i.name);
        return i.name == change.name;
    };
    if (change.effect == change_kind::discards_all) {
        // Settings and prepared statements alike: the new node starts as DISCARD ALL leaves one.
        for (const item& i : accepted_)
            memory_ -= i.name.size() + i.message.size();
        accepted_.clear();
        memory_ -= change.name.size() + change.message.size();
        return;
    }
    for (auto it = frozen; it != accepted_.end();) {
        if (forgettable(*it)) {
            memory_ -= it->name.size() + it->message.size();
            it = accepted_.erase(it);
        } else {
            ++it;
        }
    }
    // A RESET undoes only what came before it: with nothing of it left to undo, it is not needed.
    const bool undoes_kept = std::any_of(accepted_.begin(), accepted_.end(), forgettable);
    if (change.effect == change_kind::sets || undoes_kept) {
        accepted_.push_back(std::move(change));
    } else {
        memory_ -= change.name.size() + change.message.size();
    }
}

void session_replay::forget(item_kind kind, const std::string& name) {
    for (auto it = accepted_.begin(); it != accepted_.end(); ++it) {
        if (it->kind == kind && it->name == name) {
            memory_ -= it->name.size() + it->message.size();
            accepted_.erase(it);
            return;
        }
    }
}

void session_replay::drop_pending(std::uint64_t cycle, bool extended_only) {
    for (auto it = pending_.begin(); it != pending_.end();) {
        if (it->cycle == cycle && (!extended_only || it->kind != item_kind::setting)) {
            memory_ -= it->name.size() + it->message.size();
            it = pending_.erase(it);
        } else {
            ++it;
        }
    }
}

std::string session_replay::rebuild_messages() const {
    std::string messages;
    std::string settings;  // statements joined, sent as one Query
    bool parses_open = false;
    const auto flush_settings = [&] {
        if (settings.empty()) return;
        messages += protocol::message_builder(protocol::PqMsg_Query).cstring(settings).finish();
        settings.clear();
    };
    const auto sync = [&] {
        if (!parses_open) return;
        messages += protocol::message_builder(protocol::PqMsg_Sync).finish();
        parses_open = false;
    };
    for (const item& i : accepted_) {
        if (i.kind == item_kind::setting) {
            sync();
            settings += i.message;
            // A line break first: the statement may end in a -- comment.
            settings += "\n;";
        } else {
            flush_settings();
            messages += i.message;
            parses_open = true;
        }
    }
    flush_settings();
    sync();
    return messages;
}

std::size_t session_replay::rebuild_cycles() const {
    std::size_t cycles = 0;
    std::optional<item_kind> previous;
    for (const item& i : accepted_) {
        if (i.kind != previous) ++cycles;
        previous = i.kind;
    }
    return cycles;
}

std::size_t session_replay::settings() const {
    return static_cast<std::size_t>(
        std::count_if(accepted_.begin(), accepted_.end(),
                      [](const item& i) { return i.kind == item_kind::setting; }));
}

std::size_t session_replay::prepared_statements() const {
    return accepted_.size() - settings();
}

}  // namespace pgroute::proxy
