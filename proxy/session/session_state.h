// What a session holds from its first byte to its last, shared by its phases (startup, routing
// with wait, node connection, carry); internal to proxy/session.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/protocol_version.h"
#include "proxy/routing/router.h"
#include "proxy/session/client_error.h"
#include "proxy/session/proxy_auth.h"
#include "proxy/session/session_admission.h"
#include "proxy/session/session_replay.h"
#include "proxy/session/statement_retry.h"
#include "proxy/session/worker_context.h"

namespace pgroute::proxy {

// "127.0.0.1:40112", or "unknown" once the peer is gone.
[[nodiscard]] std::string describe(const asio::ip::tcp::socket& socket);
// A node's name as log lines and client messages quote it.
[[nodiscard]] std::string quoted(std::string_view node_name);
// "0.125s" since `start`.
[[nodiscard]] std::string seconds_since(std::chrono::steady_clock::time_point start);

// The identity of a session in its log lines.
struct session_label {
    std::string id;
    const endpoint_config& endpoint;
    std::string client;
    std::string user;  // known once the startup packet is read
    std::string database;
    std::string node = "-";

    [[nodiscard]] std::string text() const {
        return "session " + id + " endpoint=" + endpoint.name + " client=" + client +
               " user=" + user + " database=" + database + " node=" + node;
    }
};

// The router's answer and the snapshot it was given.
struct routing {
    health::topology_ptr topology;  // kept alive for the session: the node it picked lives here
    route_decision decision;
    std::optional<std::chrono::steady_clock::time_point> waiting_since;  // set if it waited
};

// What a session holds from its first byte to its last, on the heap: run_session's phases use it,
// then carry_session's relay rounds own it. The phases are coroutines of their own, so the
// temporaries of startup, routing and every error path are freed once the relay begins, and
// while the relay runs no coroutine frame is left at all.
struct session_state {
    session_state(admitted_session admitted_as, asio::ip::tcp::socket client_socket,
                  std::size_t endpoint_at, worker_context& worker_context)
        : admitted(std::move(admitted_as)),
          client(std::move(client_socket)),
          generation(worker_context.serving),
          endpoint(generation->cfg().endpoints[endpoint_at]),
          worker(worker_context),
          endpoint_index(endpoint_at),
          label{worker.admission.next_session_id(), endpoint, describe(client), "-", "-"},
          server(client.get_executor()) {}

    // The configuration it started with, whatever a reload has done since.
    [[nodiscard]] const config& cfg() const { return generation->cfg(); }
    // Proxy mode: what keeps it on its node, once something does.
    [[nodiscard]] std::optional<std::string_view> pinned_by() const {
        return replay ? replay->pinned_by() : std::nullopt;
    }
    [[nodiscard]] endpoint_counters& counters() const {
        return worker.metrics.endpoint(endpoint_index);
    }
    // Over TLS once the client negotiated it.
    [[nodiscard]] asio::awaitable<void> tell_client(std::string_view sqlstate,
                                                    const std::string& message) {
        return send_fatal_to(client, client_tls.get(), sqlstate, message);
    }

    admitted_session admitted;  // first: the session counts as ended once all else is gone
    asio::ip::tcp::socket client;
    std::shared_ptr<const worker_generation> generation;  // keeps `endpoint` alive
    const endpoint_config& endpoint;
    worker_context& worker;
    std::size_t endpoint_index;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    session_label label;
    std::unique_ptr<tls_stream> client_tls;     // set once the client negotiated TLS
    std::vector<char> startup_packet;           // the StartupMessage, replayed to the node
    protocol::startup_negotiation negotiation;  // the client's protocol version, and pgroute's
    routing routed;
    asio::ip::tcp::socket server;
    std::unique_ptr<tls_stream> server_tls;  // set when the node speaks TLS with pgroute
    std::optional<session_registry::registration> registration;
    // Proxy mode, once the client authenticated. Behind pointers: an idle session in passthrough
    // mode pays 8 bytes for each, not their size.
    std::unique_ptr<login_credentials> credentials;
    std::unique_ptr<session_replay> replay;  // proxy mode, from the relay's start
    std::unique_ptr<statement_retry> retry;  // proxy mode, from the relay's start
};

}  // namespace pgroute::proxy
