#include "proxy/session/worker.h"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <map>
#include <stdexcept>

#include "proxy/session/listener.h"

namespace pgroute::proxy {

namespace {

// Sessions that have not reached the relay (e.g. still sending their startup packet) get this
// long after shutdown before the loop is stopped under them.
constexpr std::chrono::seconds shutdown_grace{3};

constexpr std::size_t idle_buffers_kept = 256;

std::unique_ptr<auth_lookup> make_auth_lookup(const worker_shared& shared) {
    if (shared.auth == nullptr || !shared.auth->auth_user_login) return nullptr;
    return std::make_unique<auth_lookup>(shared.cfg, *shared.auth->auth_user_login,
                                         *shared.auth->looked_up, shared.tls);
}

}  // namespace

worker::worker(const worker_shared& shared, unsigned index, health::topology_ptr topology,
               bool topology_changes)
    : index_(index),
      context_{
          shared.cfg,
          shared.log,
          shared.tls,
          shared.keys,
          shared.auth,
          session_admission(shared.client_count, shared.cfg.limits.max_client_connections, index),
          worker_topology(std::move(topology), topology_changes, shared.cfg.endpoints.size(),
                          index),
          {},
          buffer_pool(shared.cfg.limits.buffer_size, idle_buffers_kept),
          worker_metrics(shared.cfg.endpoints.size()),
          make_auth_lookup(shared)} {}

void worker::listen() {
    for (const auto& endpoint : context_.cfg.endpoints) {
        try {
            if (index_ == 0) check_address_is_free(io_, endpoint.listen);
            acceptors_.push_back(open_listener(io_, endpoint.listen));
        } catch (const std::system_error& e) {
            throw std::runtime_error("cannot listen on " + endpoint.listen.host + ":" +
                                     std::to_string(endpoint.listen.port) + " (endpoint " +
                                     endpoint.name + "): " + e.code().message());
        }
    }
    for (std::size_t i = 0; i < acceptors_.size(); ++i) {
        asio::co_spawn(io_, accept_clients(acceptors_[i], i, context_), asio::detached);
    }
}

void worker::run() {
    io_.run();
    // Its sockets belong to io_, which goes before the context.
    if (context_.lookups) context_.lookups->close();
}

void worker::publish(health::topology_ptr topology) {
    asio::post(io_,
               [this, topology = std::move(topology)]() mutable { apply(std::move(topology)); });
}

void worker::stop() {
    asio::post(io_, [this] {
        context_.admission.stop();
        for (auto& acceptor : acceptors_) {
            std::error_code ignored;
            acceptor.close(ignored);
        }
        cut_all_for_shutdown();
        context_.topology.close();  // a session waiting for a node is refused now
        asio::co_spawn(io_, drain(), asio::detached);
    });
}

asio::awaitable<void> worker::drain() {
    const auto deadline = std::chrono::steady_clock::now() + shutdown_grace;
    asio::steady_timer tick(io_);
    while (context_.admission.running() > 0 && std::chrono::steady_clock::now() < deadline) {
        tick.expires_after(std::chrono::milliseconds(20));
        co_await tick.async_wait(asio::use_awaitable);
    }
    // With every session gone the loop ends by itself once the closed acceptors' cancelled
    // accepts have completed; stopping it earlier leaves those (under io_uring, still in the
    // ring) to be destroyed with the io_context, which Asio 1.22 gets wrong (use after free).
    if (context_.admission.running() > 0) io_.stop();
}

void worker::apply(health::topology_ptr topology) {
    context_.topology.adopt(std::move(topology));
    const auto& current = *context_.topology.current();
    // One log line per (node, reason) batch rather than one per session.
    std::map<std::pair<std::string, cut_reason>, std::pair<std::size_t, std::string>> batches;
    context_.sessions.for_each_live([&](session_control& session) {
        auto order = decide_cut(session.role, session.node_name, *session.endpoint, current);
        if (!order) return;
        auto& batch = batches[{session.node_name, order->reason}];
        ++batch.first;
        batch.second = order->message;
        session.order_cut(std::move(*order));
    });
    for (const auto& [key, batch] : batches) {
        context_.log.warn("worker " + std::to_string(index_) + " cut " +
                          std::to_string(batch.first) + " session(s) on node \"" + key.first +
                          "\" (" + std::string(to_string(key.second)) + "): " + batch.second);
    }
}

void worker::cut_all_for_shutdown() {
    context_.sessions.for_each_live([](session_control& session) {
        session.order_cut(
            {cut_reason::shutdown, "terminating connection because pgroute is shutting down"});
    });
    // They deliver their last word now: the drain cannot wait for their clients' next messages.
    context_.sessions.for_each_holding([](session_control& session) { session.hold->interrupt(); });
}

}  // namespace pgroute::proxy
