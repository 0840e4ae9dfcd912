#include "proxy/admin/server.h"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/experimental/parallel_group.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <stdexcept>
#include <string>

#include "proxy/admin/http_codec.h"
#include "proxy/admin/routes.h"

namespace pgroute::proxy {

namespace {

using asio::ip::tcp;

struct io_outcome {
    std::error_code error;
    std::size_t bytes = 0;
};

// Runs a deferred socket operation against the connection's deadline; the loser is cancelled.
template <typename Operation>
asio::awaitable<io_outcome> before(asio::steady_timer& deadline, Operation operation) {
    auto [order, error, bytes, timer_error] =
        co_await asio::experimental::make_parallel_group(
            std::move(operation), deadline.async_wait(asio::experimental::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
    if (order[0] == 1) co_return io_outcome{asio::error::timed_out, 0};
    co_return io_outcome{error, bytes};
}

// Lists a connection for as long as it is served.
class connection_entry {
  public:
    connection_entry(std::unordered_set<tcp::socket*>& connections, tcp::socket& socket)
        : connections_(connections), socket_(&socket) {
        connections_.insert(socket_);
    }
    connection_entry(const connection_entry&) = delete;
    connection_entry& operator=(const connection_entry&) = delete;
    ~connection_entry() { connections_.erase(socket_); }

  private:
    std::unordered_set<tcp::socket*>& connections_;
    tcp::socket* socket_;
};

// The head of one request, or the response that refuses it; nothing if the client left.
struct received {
    std::optional<http_request> request;
    std::optional<http_response> refusal;
};

asio::awaitable<received> receive_request(tcp::socket& socket, std::string& bytes,
                                          asio::steady_timer& deadline) {
    char chunk[2048];
    for (;;) {
        const auto [error, n] = co_await before(
            deadline, socket.async_read_some(asio::buffer(chunk), asio::experimental::deferred));
        if (error == asio::error::timed_out) {
            co_return received{
                std::nullopt, http_response{408, "text/plain; charset=utf-8", "request timeout\n"}};
        }
        if (error) co_return received{};
        bytes.append(chunk, n);
        auto parsed = parse_http_request(bytes);
        if (parsed.progress == request_progress::complete) co_return received{parsed.request, {}};
        if (parsed.progress == request_progress::invalid) {
            co_return received{std::nullopt,
                               http_response{parsed.error_status, "text/plain; charset=utf-8",
                                             parsed.error + "\n"}};
        }
    }
}

}  // namespace

admin_server::admin_server(const listen_address& at, const admin_sources& sources,
                           admin_actions actions, const logger& log, admin_server_limits limits,
                           std::optional<int> inherited)
    : acceptor_(io_), sources_(sources), actions_(std::move(actions)), log_(log), limits_(limits) {
    try {
        const tcp::endpoint endpoint(asio::ip::make_address(at.host), at.port);
        if (inherited) {
            acceptor_.assign(endpoint.protocol(), *inherited);
        } else {
            // No SO_REUSEPORT, unlike the workers' listeners: a second pgroute on the same admin
            // address must fail to start rather than take half of the scrapes.
            acceptor_.open(endpoint.protocol());
            acceptor_.set_option(tcp::acceptor::reuse_address(true));
            acceptor_.bind(endpoint);
            acceptor_.listen(asio::socket_base::max_listen_connections);
        }
        port_ = acceptor_.local_endpoint().port();
        listening_fd_ = acceptor_.native_handle();
    } catch (const std::system_error& e) {
        throw std::runtime_error("cannot listen on " + at.host + ":" + std::to_string(at.port) +
                                 " (admin): " + e.code().message());
    }
}

admin_server::~admin_server() {
    stop();
}

void admin_server::start() {
    asio::co_spawn(io_, accept_connections(), asio::detached);
    sampler_.start();
    thread_ = std::thread([this] { io_.run(); });
}

void admin_server::close() {
    // With the acceptor, every connection and the sampler's timer closed, the loop runs out of
    // work and returns.
    asio::post(io_, [this] {
        sampler_.stop();
        std::error_code ignored;
        acceptor_.close(ignored);
        for (auto* socket : connections_)
            socket->close(ignored);
    });
}

void admin_server::stop() {
    const std::lock_guard once(stop_lock_);
    if (!thread_.joinable()) return;
    close();
    thread_.join();
}

asio::awaitable<void> admin_server::accept_connections() {
    for (;;) {
        auto [error, socket] =
            co_await acceptor_.async_accept(asio::experimental::as_tuple(asio::use_awaitable));
        // Closed by stop(), possibly before this loop first got to accept.
        if (error == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
        if (error) {
            // Out of descriptors or the like: the proxy must go on, so breathe and retry.
            log_.error("admin accept failed: " + error.message());
            asio::steady_timer pause(io_, std::chrono::milliseconds(100));
            co_await pause.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
            continue;
        }
        if (connections_.size() >= limits_.max_connections) continue;  // closed unanswered
        asio::co_spawn(io_, serve(std::move(socket)), [this](const std::exception_ptr& failure) {
            if (!failure) return;
            try {
                std::rethrow_exception(failure);
            } catch (const std::exception& e) {
                log_.error(std::string("admin request failed: ") + e.what());
            }
        });
    }
}

asio::awaitable<void> admin_server::serve(tcp::socket socket) {
    const connection_entry entry(connections_, socket);
    asio::steady_timer deadline(io_, limits_.request_timeout);
    std::string bytes;
    const auto got = co_await receive_request(socket, bytes, deadline);
    if (!got.request && !got.refusal) co_return;
    std::error_code no_peer;
    const bool from_loopback = socket.remote_endpoint(no_peer).address().is_loopback() && !no_peer;
    const http_response response = got.request ? answer_admin_request(*got.request, from_loopback,
                                                                      sources_, history_, actions_)
                                               : *got.refusal;
    const bool head_only = got.request && got.request->method == "HEAD";
    const std::string answer = format_http_response(response, head_only);
    // A 408 is sent after the deadline: it gets a fresh one, as short as the first.
    if (response.status == 408) deadline.expires_after(limits_.request_timeout);
    co_await before(deadline,
                    asio::async_write(socket, asio::buffer(answer), asio::experimental::deferred));
    std::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
}

}  // namespace pgroute::proxy
