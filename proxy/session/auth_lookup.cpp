#include "proxy/session/auth_lookup.h"

#include <algorithm>
#include <asio/experimental/as_tuple.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "protocol/authentication.h"
#include "protocol/error_response.h"
#include "protocol/message_builder.h"
#include "protocol/message_type.h"
#include "proxy/auth/auth_query_messages.h"
#include "proxy/net/node_tls.h"
#include "proxy/session/message_stream.h"
#include "proxy/session/node_authentication.h"
#include "proxy/session/session_phases.h"

namespace pgroute::proxy {

namespace {

using steady_clock = std::chrono::steady_clock;

// An answer's messages are short (a row holds a name and a SCRAM secret); PostgreSQL's
// PG_MAX_AUTH_TOKEN_LENGTH bounds the login's.
constexpr std::size_t max_lookup_message = 65535;

std::string startup_packet(std::string_view user, std::string_view database) {
    protocol::message_builder packet;
    packet.u32(protocol::protocol_version(3, 0));
    packet.cstring("user").cstring(user).cstring("database").cstring(database);
    packet.cstring("application_name").cstring("pgroute auth_query");
    return std::move(packet.u8(0)).finish();
}

auth_lookup_outcome failure(std::string why) {
    return {std::nullopt, std::move(why), {}};
}

}  // namespace

asio::awaitable<auth_lookup_outcome> auth_lookup::find(const std::string& user,
                                                       const std::string& database,
                                                       const health::topology_snapshot& topology) {
    if (auto known = cache_.find(user)) co_return auth_lookup_outcome{std::move(*known), {}, {}};
    const health::node_view* leader = topology.leader();
    if (leader == nullptr) {
        co_return failure("no leader to run auth_query on (" + topology.no_write_target_reason +
                          ")");
    }
    const std::string& in = cfg_.auth.auth_dbname.empty() ? database : cfg_.auth.auth_dbname;
    auth_lookup_outcome found = co_await look_up(user, in, *leader);
    if (!found.failed.empty()) co_return found;
    cache_.remember(user, found.verifier);
    found.node = leader->address.name;
    co_return found;
}

void auth_lookup::close() {
    idle_.clear();
    waiters_.notify_all();
}

asio::awaitable<auth_lookup_outcome> auth_lookup::look_up(const std::string& user,
                                                          const std::string& database,
                                                          const health::node_view& node) {
    const auto executor = co_await asio::this_coro::executor;
    const auto give_up = steady_clock::now() + cfg_.limits.connect_timeout;
    const std::size_t pool_size = cfg_.auth.auth_pool_size;
    std::unique_ptr<connection> c;
    bool is_new = false;
    // A kept connection to the node and database, a new one while the pool has room, or the
    // next one given back. Kept ones to another node (an old leader) are of no more use.
    for (;;) {
        std::erase_if(idle_, [&](const auto& kept) { return kept->node != node.address.name; });
        const auto kept = std::find_if(idle_.begin(), idle_.end(),
                                       [&](const auto& k) { return k->database == database; });
        if (kept != idle_.end()) {
            c = std::move(*kept);
            idle_.erase(kept);
            break;
        }
        if (!idle_.empty() && busy_ + idle_.size() >= pool_size) {
            idle_.erase(idle_.begin());  // one kept for another database makes room
        }
        if (busy_ + idle_.size() < pool_size) {
            c = std::make_unique<connection>(executor);
            c->node = node.address.name;
            c->database = database;
            is_new = true;
            break;
        }
        if (steady_clock::now() >= give_up) {
            co_return failure("all " + std::to_string(pool_size) +
                              " auth_query connections stayed busy for connect_timeout");
        }
        co_await waiters_.wait(give_up);
    }
    ++busy_;
    auth_lookup_outcome out;
    std::string failed;
    if (is_new) failed = co_await open(*c, node);
    if (failed.empty()) failed = co_await query(*c, user, out);
    --busy_;
    if (failed.empty()) idle_.push_back(std::move(c));
    waiters_.notify_all();
    if (!failed.empty()) co_return failure(std::move(failed));
    co_return out;
}

asio::awaitable<std::string> auth_lookup::open(connection& c, const health::node_view& node) {
    std::string failed = co_await connect_to_node(c.socket, node, cfg_.limits.connect_timeout);
    if (failed.empty() && tls_.nodes) {
        failed = co_await negotiate_node_tls(c.socket, c.tls, *tls_.nodes, cfg_.server_tls.mode,
                                             node.address.host, cfg_.limits.connect_timeout);
    }
    if (failed.empty()) failed = co_await log_in(c);
    if (!failed.empty()) co_return "node " + node.address.name + ": " + failed;
    co_return std::string();
}

asio::awaitable<std::string> auth_lookup::log_in(connection& c) {
    message_stream node(c.socket, c.tls.get());
    asio::steady_timer deadline(c.socket.get_executor(), cfg_.limits.connect_timeout);
    const std::string& user = cfg_.auth.auth_user;
    if (auto ec = co_await node.write(startup_packet(user, c.database))) {
        co_return "the login ended: " + ec.message();
    }
    node_exchange exchange(user, login_);
    node_authentication end =
        co_await authenticate_to_node(node, exchange, deadline, max_lookup_message);
    if (!end.failed.empty()) co_return "logging in as auth_user \"" + user + "\": " + end.failed;
    // After AuthenticationOk: ParameterStatus and BackendKeyData until ReadyForQuery, unless the
    // node refuses the user or its database after all.
    received_message message = end.refusal ? std::move(*end.refusal) : received_message{};
    while (message.type != protocol::PqMsg_ErrorResponse) {
        if (auto ec = co_await node.read(message, max_lookup_message, deadline)) {
            co_return "logging in as auth_user \"" + user + "\": " +
                (ec == asio::error::timed_out ? "no ReadyForQuery within connect_timeout"
                                              : "the login ended: " + ec.message());
        }
        if (message.type == protocol::PqMsg_ReadyForQuery) co_return std::string();
    }
    const auto error = protocol::parse_error_response(message.body);
    co_return "the node refused auth_user \"" + user +
        "\": " + (error ? error->message : "(a malformed ErrorResponse)");
}

asio::awaitable<std::string> auth_lookup::query(connection& c, const std::string& user,
                                                auth_lookup_outcome& out) {
    message_stream node(c.socket, c.tls.get());
    asio::steady_timer deadline(c.socket.get_executor(), cfg_.limits.connect_timeout);
    if (auto ec = co_await node.write(auth::build_auth_query(cfg_.auth.auth_query, user))) {
        co_return "sending auth_query: " + ec.message();
    }
    auth::auth_query_reader answer;
    for (;;) {
        received_message message;
        if (auto ec = co_await node.read(message, max_lookup_message, deadline)) {
            co_return ec == asio::error::timed_out
                ? "no answer to auth_query within connect_timeout"
                : "auth_query's answer ended: " + ec.message();
        }
        if (answer.read(message.type, message.body)) break;
    }
    if (!answer.failed().empty()) co_return answer.failed();
    auto& row = answer.row();
    if (!row) co_return std::string();  // no such user
    if (!row->password) {
        out.verifier = auth::stored_verifier{};  // NULL: no password, as auth_file's ""
        co_return std::string();
    }
    std::string& password = *row->password;
    const auto parsed = auth::parse_stored_password(password);
    if (parsed) out.verifier = auth::make_verifier(user, *parsed);
    std::fill(password.begin(), password.end(), '\0');  // a clear-text one must not linger
    if (!parsed)
        co_return "auth_query returned a password pgroute cannot use: " + parsed.error().message;
    co_return std::string();
}

}  // namespace pgroute::proxy
