#include <asio/use_awaitable.hpp>

#include "protocol/sqlstate.h"
#include "proxy/cancel/cancel_forwarder.h"
#include "proxy/session/client_startup.h"
#include "proxy/session/session_phases.h"

namespace pgroute::proxy {

namespace {

using asio::ip::tcp;
namespace sqlstate = protocol::sqlstate;

}  // namespace

// Reads the startup packet and answers what ends there: a malformed packet, a CancelRequest, a
// plaintext client on an endpoint that requires TLS. True when a StartupMessage is to be served.
asio::awaitable<bool> read_startup(session_state& s) {
    auto& counters = s.counters();
    auto startup = co_await read_client_startup(
        s.client, s.client_tls, client_tls_offer(s.generation->tls(), s.endpoint), s.cfg().limits);
    if (auto* failure = std::get_if<client_startup_failure>(&startup)) {
        counters
            .rejections(failure->error ? session_rejection::startup_error
                                       : session_rejection::startup_abandoned)
            .add();
        s.worker.log.warn(s.label.text() + " rejected during startup: " + failure->log_cause);
        if (failure->error) {
            co_await s.tell_client(failure->error->sqlstate, failure->error->message);
        }
        co_return false;
    }
    auto& accepted = std::get<client_startup>(startup);
    if (const auto* cancel = std::get_if<protocol::cancel_request>(&accepted.request)) {
        const auto& peering = s.cfg().peering;
        const cancel_paths paths{s.worker.issued_cancel_keys, s.worker.old_process_cancels,
                                 peering ? &*peering : nullptr};
        co_await serve_cancel_request(paths, *cancel, s.cfg().limits.connect_timeout, counters,
                                      s.worker.log, s.label.text());
        co_return false;
    }
    const auto& startup_message = std::get<protocol::startup_message>(accepted.request);
    s.label.user = startup_message.user;
    s.label.database = startup_message.database;
    if (s.endpoint.tls == client_tls_mode::require && !s.client_tls) {
        counters.rejections(session_rejection::startup_error).add();
        s.worker.log.warn(s.label.text() +
                          " refused: plaintext client on an endpoint that requires TLS");
        co_await send_fatal(s.client, sqlstate::invalid_authorization_specification,
                            "pgroute endpoint \"" + s.endpoint.name +
                                "\" requires TLS: connect with sslmode=require or stronger");
        co_return false;
    }
    // A session pgroute authenticates may be logged into another node later, which must speak
    // the version the client was granted: 3.0, which every PostgreSQL speaks.
    s.negotiation = protocol::negotiate_startup(
        startup_message, s.generation->auth() != nullptr ? protocol::protocol_version(3, 0)
                                                         : protocol::latest_protocol_version);
    if (s.negotiation.answer_due()) {
        // The node gets what pgroute speaks; the client hears so once the node has answered.
        const std::string lowered = protocol::build_startup_packet(startup_message, s.negotiation);
        s.startup_packet.assign(lowered.begin(), lowered.end());
    } else {
        s.startup_packet = std::move(accepted.packet);
    }
    co_return true;
}

}  // namespace pgroute::proxy
