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

}  // namespace

worker::worker(const worker_shared& shared, const std::shared_ptr<const generation>& serving,
               unsigned index, health::topology_ptr topology, bool topology_changes)
    : index_(index),
      context_{shared.log,
               shared.keys,
               shared.old_process_cancels,
               std::make_shared<const worker_generation>(serving),
               session_admission(shared.client_count, serving->cfg->limits.max_client_connections,
                                 index),
               worker_topology(std::move(topology), topology_changes,
                               serving->cfg->endpoints.size(), index),
               {},
               buffer_pool(serving->cfg->limits.buffer_size, idle_buffers_kept),
               worker_metrics(serving->cfg->endpoints.size())} {}

void worker::listen(const std::vector<endpoint_listeners>& inherited) {
    const auto& endpoints = context_.serving->cfg().endpoints;
    for (std::size_t e = 0; e < endpoints.size(); ++e) {
        const auto& endpoint = endpoints[e];
        const endpoint_listeners none;
        const endpoint_listeners& given = e < inherited.size() ? inherited[e] : none;
        try {
            for (const int fd : given.sockets) {
                acceptors_.push_back(adopt_listener(io_, fd));
                acceptor_endpoints_.push_back(e);
            }
            if (!given.sockets.empty()) continue;
            // An inherited address is taken by the sockets the other workers adopted: this one
            // joins them (SO_REUSEPORT) rather than find it free.
            if (index_ == 0 && !given.address_inherited)
                check_address_is_free(io_, endpoint.listen);
            acceptors_.push_back(open_listener(io_, endpoint.listen));
            acceptor_endpoints_.push_back(e);
        } catch (const std::system_error& failure) {
            throw std::runtime_error("cannot listen on " + endpoint.listen.host + ":" +
                                     std::to_string(endpoint.listen.port) + " (endpoint " +
                                     endpoint.name + "): " + failure.code().message());
        }
    }
    for (std::size_t i = 0; i < acceptors_.size(); ++i) {
        listening_fds_.push_back(acceptors_[i].native_handle());
        asio::co_spawn(io_, accept_clients(acceptors_[i], acceptor_endpoints_[i], context_),
                       asio::detached);
    }
}

void worker::run() {
    io_.run();
    // Their sockets belong to io_, which goes before the context.
    if (auto* lookups = context_.serving->lookups()) lookups->close();
    for (const auto& replaced : replaced_) {
        const auto still_held = replaced.lock();
        if (still_held && still_held->lookups()) still_held->lookups()->close();
    }
}

std::future<void> worker::serve(std::shared_ptr<const generation> next) {
    auto served = std::make_shared<std::promise<void>>();
    auto future = served->get_future();
    asio::post(io_, [this, next = std::move(next), served]() mutable {
        context_.admission.set_max_clients(next->cfg->limits.max_client_connections);
        std::erase_if(replaced_, [](const auto& replaced) { return replaced.expired(); });
        replaced_.push_back(context_.serving);
        context_.serving = std::make_shared<const worker_generation>(std::move(next));
        served->set_value();
    });
    return future;
}

void worker::publish(health::topology_ptr topology) {
    asio::post(io_,
               [this, topology = std::move(topology)]() mutable { apply(std::move(topology)); });
}

void worker::stop() {
    asio::post(io_, [this] {
        stop_accepting();
        end_sessions();
    });
}

void worker::retire(std::chrono::milliseconds grace) {
    asio::post(io_, [this, grace] {
        stop_accepting();
        asio::co_spawn(io_, let_sessions_finish(std::chrono::steady_clock::now() + grace),
                       asio::detached);
    });
}

void worker::stop_accepting() {
    context_.admission.stop();
    for (auto& acceptor : acceptors_) {
        std::error_code ignored;
        acceptor.close(ignored);
    }
}

void worker::end_sessions() {
    if (ending_) return;
    ending_ = true;
    cut_all_for_shutdown();
    context_.topology.close();  // a session waiting for a node is refused now
    asio::co_spawn(io_, drain(), asio::detached);
}

asio::awaitable<void> worker::let_sessions_finish(std::chrono::steady_clock::time_point deadline) {
    asio::steady_timer tick(io_);
    while (context_.admission.running() > 0 && std::chrono::steady_clock::now() < deadline &&
           !ending_) {
        tick.expires_after(std::chrono::milliseconds(100));
        co_await tick.async_wait(asio::use_awaitable);
    }
    end_sessions();
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
