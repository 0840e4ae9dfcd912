#include "fake_http_server.h"

#include <asio/read_until.hpp>
#include <asio/streambuf.hpp>
#include <asio/write.hpp>

namespace pgroute::health::testing {
namespace {

std::string reason_phrase(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 500:
            return "Internal Server Error";
        case 503:
            return "Service Unavailable";
        default:
            return "Whatever";
    }
}

// "GET /patroni HTTP/1.1\r\n..." -> "/patroni".
std::string request_path(const std::string& request) {
    const std::size_t start = request.find(' ');
    const std::size_t end = request.find(' ', start + 1);
    if (start == std::string::npos || end == std::string::npos) return {};
    return request.substr(start + 1, end - start - 1);
}

}  // namespace

fake_http_server::fake_http_server(asio::io_context& io)
    : io_(io),
      acceptor_(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
      port_(acceptor_.local_endpoint().port()) {
    accept_next();
}

fake_http_server::~fake_http_server() {
    asio::error_code ignored;
    acceptor_.close(ignored);
    for (const auto& socket : held_)
        socket->close(ignored);
    // With io_uring a cancelled accept completes later; if it were still queued when the test's
    // io_context is destroyed, Asio 1.24 would build its peer socket on a destroyed service.
    io_.restart();
    while (accept_pending_ && io_.run_one_for(std::chrono::seconds(1)) > 0) {
    }
}

std::string fake_http_server::url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
}

void fake_http_server::answer(const std::string& path, int status, const std::string& body) {
    answer_raw(path, "HTTP/1.0 " + std::to_string(status) + " " + reason_phrase(status) +
                         "\r\nServer: BaseHTTP/0.6 Python/3.11.2\r\n"
                         "Content-Type: application/json\r\n\r\n" +
                         body);
}

void fake_http_server::answer_raw(const std::string& path, std::string bytes) {
    answers_[path] = std::move(bytes);
}

int fake_http_server::requests(const std::string& path) const {
    const auto it = requests_.find(path);
    return it == requests_.end() ? 0 : it->second;
}

void fake_http_server::accept_next() {
    accept_pending_ = true;
    acceptor_.async_accept([this](asio::error_code error, asio::ip::tcp::socket socket) {
        accept_pending_ = false;
        if (error) return;  // closed by the destructor
        serve(std::make_shared<asio::ip::tcp::socket>(std::move(socket)));
        accept_next();
    });
}

void fake_http_server::serve(const std::shared_ptr<asio::ip::tcp::socket>& socket) {
    auto buffer = std::make_shared<asio::streambuf>(64 * 1024);
    asio::async_read_until(
        *socket, *buffer, "\r\n\r\n",
        [this, socket, buffer](asio::error_code error, std::size_t length) {
            if (error) return;
            const std::string request(
                asio::buffers_begin(buffer->data()),
                asio::buffers_begin(buffer->data()) + static_cast<std::ptrdiff_t>(length));
            last_request_ = request;
            const std::string path = request_path(request);
            ++requests_[path];
            if (silent_) {
                held_.push_back(socket);
                return;
            }
            const auto it = answers_.find(path);
            auto response = std::make_shared<std::string>(
                it != answers_.end() ? it->second : "HTTP/1.0 404 Not Found\r\n\r\n");
            asio::async_write(*socket, asio::buffer(*response),
                              [socket, response](asio::error_code, std::size_t) {
                                  asio::error_code ignored;
                                  socket->shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
                              });
        });
}

std::uint16_t closed_port(asio::io_context& io) {
    asio::ip::tcp::acceptor probe(io,
                                  asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return probe.local_endpoint().port();
}

bool run_until(asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        io.restart();
        io.run_one_for(std::chrono::milliseconds(10));
    }
    return true;
}

}  // namespace pgroute::health::testing
