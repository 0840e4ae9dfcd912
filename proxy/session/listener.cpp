#include "proxy/session/listener.h"

#include <sys/socket.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/detail/socket_option.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <cerrno>
#include <system_error>

#include "protocol/sqlstate.h"
#include "proxy/cancel/cancel_forwarder.h"
#include "proxy/session/client_error.h"
#include "proxy/session/client_startup.h"
#include "proxy/session/session.h"

namespace pgroute::proxy {

namespace {

using asio::ip::tcp;
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// Reads the startup packet first, as PostgreSQL does: libpq expects the refusal as the answer to
// its StartupMessage, and one sent before its SSLRequest is answered is lost on the client.
// A cancel request is still delivered: it is how a client gets out from under a full server.
asio::awaitable<void> turn_away(tcp::socket client, std::size_t endpoint_index,
                                worker_context& worker) {
    const auto serving = worker.serving;  // what a reload would otherwise free under us
    const config& cfg = serving->cfg();
    std::unique_ptr<tls_stream> tls;
    auto startup = co_await read_client_startup(
        client, tls, client_tls_offer(serving->tls(), cfg.endpoints[endpoint_index]), cfg.limits);
    auto* accepted = std::get_if<client_startup>(&startup);
    if (accepted == nullptr) co_return;
    if (const auto* cancel = std::get_if<protocol::cancel_request>(&accepted->request)) {
        const cancel_paths paths{worker.issued_cancel_keys, worker.old_process_cancels,
                                 cfg.peering ? &*cfg.peering : nullptr};
        co_await serve_cancel_request(paths, *cancel, cfg.limits.connect_timeout,
                                      worker.metrics.endpoint(endpoint_index), worker.log,
                                      "refused client");
        co_return;
    }
    const std::string message =
        "sorry, too many clients already (pgroute max_client_connections is " +
        std::to_string(worker.admission.max_clients()) + ")";
    co_await send_fatal_to(client, tls.get(), protocol::sqlstate::too_many_connections, message);
}

}  // namespace

tcp::acceptor open_listener(asio::io_context& io, const listen_address& at) {
    const tcp::endpoint endpoint(asio::ip::make_address(at.host), at.port);
    tcp::acceptor acceptor(io);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.set_option(reuse_port(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    return acceptor;
}

tcp::acceptor adopt_listener(asio::io_context& io, int fd) {
    tcp::acceptor acceptor(io);
    sockaddr_storage address{};
    socklen_t size = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
        throw std::system_error(errno, std::generic_category(), "getsockname");
    }
    acceptor.assign(address.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd);
    return acceptor;
}

bool bound_to(int fd, const listen_address& at) {
    tcp::endpoint bound;
    socklen_t size = static_cast<socklen_t>(bound.capacity());
    if (::getsockname(fd, bound.data(), &size) != 0) return false;
    bound.resize(size);
    std::error_code bad_host;
    const auto host = asio::ip::make_address(at.host, bad_host);
    return !bad_host && bound == tcp::endpoint(host, at.port);
}

void check_address_is_free(asio::io_context& io, const listen_address& at) {
    const tcp::endpoint endpoint(asio::ip::make_address(at.host), at.port);
    tcp::acceptor probe(io);
    probe.open(endpoint.protocol());
    // Connections of an earlier run still in TIME_WAIT do not make the address taken.
    probe.set_option(tcp::acceptor::reuse_address(true));
    probe.bind(endpoint);
}

asio::awaitable<void> accept_clients(tcp::acceptor& acceptor, std::size_t endpoint_index,
                                     worker_context& worker) {
    // A copy: a reload frees the config it came from, and keeps the name.
    const std::string endpoint_name = worker.serving->cfg().endpoints[endpoint_index].name;
    auto& counters = worker.metrics.endpoint(endpoint_index);
    while (!worker.admission.stopping()) {
        auto [ec, client] =
            co_await acceptor.async_accept(asio::experimental::as_tuple(asio::use_awaitable));
        if (ec == asio::error::operation_aborted) break;
        // A client accepted before the acceptor was closed (its completion queued behind the
        // close) is served, not dropped: after an upgrade this process still drains.
        if (ec && worker.admission.stopping()) break;
        if (ec) {
            // Out of file descriptors or a similar transient fault: log, breathe, go on.
            worker.log.error("accept on " + endpoint_name + " failed: " + ec.message());
            asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(50));
            co_await pause.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
            continue;
        }
        counters.accepted.add();
        if (!worker.admission.admit()) {
            counters.rejections(session_rejection::too_many_clients).add();
            worker.log.warn("endpoint " + endpoint_name +
                            " refused a client: " + std::to_string(worker.admission.max_clients()) +
                            " clients already connected");
            asio::co_spawn(
                acceptor.get_executor(), turn_away(std::move(client), endpoint_index, worker),
                [&worker](const std::exception_ptr&) { worker.admission.refusal_delivered(); });
            continue;
        }
        counters.sessions_started.add();
        asio::co_spawn(acceptor.get_executor(),
                       run_session(std::move(client), endpoint_index, worker,
                                   admitted_session(worker.admission, counters.sessions_ended)),
                       session_failure_log{worker.log});
    }
}

}  // namespace pgroute::proxy
